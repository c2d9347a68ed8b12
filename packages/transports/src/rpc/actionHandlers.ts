import { InvalidInput } from "@atom/domain/errors"
import { ActionRpcs } from "@atom/domain/rpc"
import { ActionService, AssignmentRuleService } from "@atom/services/policy"
import { Effect } from "effect"
import { CATALOGUE_LIST, MAX_IDS, page, text } from "../graphql/policy/policyArgs.js"
import { asCaller } from "./toRpcError.js"

/** An applicability list within the bound GraphQL sets. */
const bounded = <A>(targets: ReadonlyArray<A>) =>
  targets.length > MAX_IDS
    ? Effect.fail(new InvalidInput({ message: `applicability must contain at most ${MAX_IDS} items` }))
    : Effect.succeed(targets)

/** Actions and guardrails over RPC: the calls of the GraphQL action resolvers, with their bounds. */
export const actionHandlers = ActionRpcs.of({
  ListActions: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ActionService, (s) =>
        s.list(caller, p.tenantId ?? null, {
          objectKind: text(p.objectKind ?? null),
          objectType: text(p.objectType ?? null),
          page: page(p.limit ?? null, p.offset ?? null, CATALOGUE_LIST),
        }),
      ),
    ),
  GetAction: ({ id }) => asCaller((caller) => Effect.flatMap(ActionService, (s) => s.get(caller, id))),
  CreateAction: ({ name, description, applicability }) =>
    asCaller((caller) =>
      Effect.flatMap(bounded(applicability ?? []), (targets) =>
        Effect.flatMap(ActionService, (s) =>
          s.create(caller, { name, description: description ?? null, applicability: targets }),
        ),
      ),
    ),
  UpdateAction: ({ id, name, description, applicability }) =>
    asCaller((caller) =>
      Effect.flatMap(applicability == null ? Effect.succeed(null) : bounded(applicability), (targets) =>
        Effect.flatMap(ActionService, (s) =>
          s.update(caller, id, {
            ...(name == null ? {} : { name }),
            ...(description == null ? {} : { description }),
            ...(targets === null ? {} : { applicability: targets }),
          }),
        ),
      ),
    ),
  DeleteAction: ({ id }) => asCaller((caller) => Effect.flatMap(ActionService, (s) => s.remove(caller, id))),
  ListActionApplicability: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ActionService, (s) =>
        s.listApplicability(caller, p.tenantId ?? null, {
          actionName: text(p.actionName ?? null),
          objectKind: text(p.objectKind ?? null),
          objectType: text(p.objectType ?? null),
          page: page(p.limit ?? null, p.offset ?? null, CATALOGUE_LIST),
        }),
      ),
    ),
  AddActionApplicability: ({ actionId, objectKind, objectType }) =>
    asCaller((caller) =>
      Effect.flatMap(ActionService, (s) =>
        s.addApplicability(caller, actionId, { objectKind, objectType: objectType ?? null }),
      ),
    ),
  RemoveActionApplicability: ({ actionId, objectKind, objectType }) =>
    asCaller((caller) =>
      Effect.flatMap(ActionService, (s) =>
        s.removeApplicability(caller, actionId, { objectKind, objectType: objectType ?? null }),
      ),
    ),
  CreateActionAssignmentRule: (p) =>
    asCaller((caller) =>
      Effect.flatMap(AssignmentRuleService, (s) =>
        s.create(caller, {
          tenantId: p.tenantId ?? null,
          entityKind: p.entityKind,
          actionName: p.actionName,
          objectKind: p.objectKind,
          objectType: p.objectType ?? null,
          decision: p.decision,
          isAbsolute: p.isAbsolute ?? false,
        }),
      ),
    ),
  ListActionAssignmentRules: (p) =>
    asCaller((caller) =>
      Effect.flatMap(AssignmentRuleService, (s) =>
        s.list(caller, {
          tenantId: p.tenantId ?? null,
          entityKind: p.entityKind ?? null,
          actionName: text(p.actionName ?? null),
          objectKind: p.objectKind ?? null,
          objectType: text(p.objectType ?? null),
          decision: p.decision ?? null,
          page: page(p.limit ?? null, p.offset ?? null, CATALOGUE_LIST),
        }),
      ),
    ),
  DeleteActionAssignmentRule: ({ id }) =>
    asCaller((caller) => Effect.flatMap(AssignmentRuleService, (s) => s.remove(caller, id))),
})
