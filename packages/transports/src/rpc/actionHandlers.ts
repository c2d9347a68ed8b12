import { InvalidInput } from "@atom/domain/errors"
import { ActionRpcs } from "@atom/domain/rpc"
import { ActionService, AssignmentRuleService } from "@atom/services/policy"
import { Effect } from "effect"
import { CATALOGUE_LIST, MAX_IDS, page, text } from "../graphql/policy/policyArgs.js"
import { asCaller } from "./toRpcError.js"

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
  CreateAction: ({ name, description, applicability }) =>
    asCaller((caller) =>
      (applicability?.length ?? 0) > MAX_IDS
        ? Effect.fail(new InvalidInput({ message: `applicability must contain at most ${MAX_IDS} items` }))
        : Effect.flatMap(ActionService, (s) =>
            s.create(caller, { name, description: description ?? null, applicability: applicability ?? [] }),
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
