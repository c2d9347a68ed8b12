import { EntityKind, TenantId } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import { ActionId, AssignmentRuleId, GuardrailDecision } from "@atom/domain/policy"
import { ActionService, AssignmentRuleService } from "@atom/services/policy"
import { Effect, Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { handle } from "./handle.js"
import {
  CATALOGUE_LIST,
  id,
  MAX_IDS,
  Nullable,
  objectKind,
  optionalId,
  optionalObjectKind,
  page,
  text,
} from "./policyArgs.js"
import { encodeAction, encodeApplicabilityEntry, encodeList, encodeRule } from "./policyEncoders.js"

const IdArgs = Schema.Struct({ id: Schema.String })

const ApplicabilityInput = Schema.Struct({ objectKind: Schema.String, objectType: Nullable(Schema.String) })

const applicabilityList = (items: ReadonlyArray<typeof ApplicabilityInput.Type> | null) =>
  items === null
    ? Effect.succeed(null)
    : items.length > MAX_IDS
      ? Effect.fail(new InvalidInput({ message: `applicability must contain at most ${MAX_IDS} items` }))
      : Effect.forEach(items, (t) =>
          Effect.map(objectKind(t.objectKind), (kind) => ({ objectKind: kind, objectType: t.objectType })),
        )

const ActionsArgs = Schema.Struct({
  objectKind: Nullable(Schema.String),
  objectType: Nullable(Schema.String),
  tenantId: Nullable(Schema.String),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const ApplicabilityArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  actionName: Nullable(Schema.String),
  objectKind: Nullable(Schema.String),
  objectType: Nullable(Schema.String),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const RulesArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  entityKind: Nullable(EntityKind),
  actionName: Nullable(Schema.String),
  objectKind: Nullable(Schema.String),
  objectType: Nullable(Schema.String),
  decision: Nullable(GuardrailDecision),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const CreateActionArgs = Schema.Struct({
  input: Schema.Struct({
    name: Schema.String,
    description: Nullable(Schema.String),
    applicability: Nullable(Schema.Array(ApplicabilityInput)),
  }),
})

const UpdateActionArgs = Schema.Struct({
  id: Schema.String,
  input: Schema.Struct({
    name: Nullable(Schema.String),
    description: Nullable(Schema.String),
    applicability: Nullable(Schema.Array(ApplicabilityInput)),
  }),
})

const ApplicabilityChangeArgs = Schema.Struct({
  input: Schema.Struct({ actionId: Schema.String, objectKind: Schema.String, objectType: Nullable(Schema.String) }),
})

const CreateRuleArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: Nullable(Schema.String),
    entityKind: EntityKind,
    actionName: Schema.String,
    objectKind: Schema.String,
    objectType: Nullable(Schema.String),
    decision: GuardrailDecision,
    isAbsolute: Nullable(Schema.Boolean),
  }),
})

const tenantArg = optionalId(TenantId, "tenantId")
const actionId = id(ActionId, "id")

const applicabilityChange = (input: typeof ApplicabilityChangeArgs.Type.input) =>
  Effect.all({
    actionId: id(ActionId, "actionId")(input.actionId),
    target: Effect.map(objectKind(input.objectKind), (kind) => ({ objectKind: kind, objectType: input.objectType })),
  })

/** actions, action, actionApplicability, actionAssignmentRules. */
export const actionQueries: Record<string, Resolver<ActionService | AssignmentRuleService>> = {
  actions: handle(ActionsArgs, (caller, a) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantArg(a.tenantId)
      const filter = {
        objectKind: text(a.objectKind),
        objectType: text(a.objectType),
        page: page(a.limit, a.offset, CATALOGUE_LIST),
      }
      return encodeList(yield* Effect.flatMap(ActionService, (s) => s.list(caller, tenantId, filter)), encodeAction)
    }),
  ),
  action: handle(IdArgs, (caller, a) =>
    Effect.gen(function* () {
      const action = yield* actionId(a.id)
      return encodeAction(yield* Effect.flatMap(ActionService, (s) => s.get(caller, action)))
    }),
  ),
  actionApplicability: handle(ApplicabilityArgs, (caller, a) =>
    Effect.gen(function* () {
      const tenantId = yield* tenantArg(a.tenantId)
      const filter = {
        actionName: text(a.actionName),
        objectKind: text(a.objectKind),
        objectType: text(a.objectType),
        page: page(a.limit, a.offset, CATALOGUE_LIST),
      }
      const list = yield* Effect.flatMap(ActionService, (s) => s.listApplicability(caller, tenantId, filter))
      return encodeList(list, encodeApplicabilityEntry)
    }),
  ),
  actionAssignmentRules: handle(RulesArgs, (caller, a) =>
    Effect.gen(function* () {
      const filter = {
        tenantId: yield* tenantArg(a.tenantId),
        entityKind: a.entityKind,
        actionName: text(a.actionName),
        objectKind: yield* optionalObjectKind(text(a.objectKind)),
        objectType: text(a.objectType),
        decision: a.decision,
        page: page(a.limit, a.offset, CATALOGUE_LIST),
      }
      return encodeList(yield* Effect.flatMap(AssignmentRuleService, (s) => s.list(caller, filter)), encodeRule)
    }),
  ),
}

/** create/update/deleteAction, add/removeActionApplicability, create/deleteActionAssignmentRule. */
export const actionMutations: Record<string, Resolver<ActionService | AssignmentRuleService>> = {
  createAction: handle(CreateActionArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const applicability = (yield* applicabilityList(input.applicability)) ?? []
      const created = yield* Effect.flatMap(ActionService, (s) =>
        s.create(caller, { name: input.name, description: input.description, applicability }),
      )
      return encodeAction(created)
    }),
  ),
  updateAction: handle(UpdateActionArgs, (caller, { id: raw, input }) =>
    Effect.gen(function* () {
      const action = yield* actionId(raw)
      const applicability = yield* applicabilityList(input.applicability)
      const patch = {
        ...(input.name === null ? {} : { name: input.name }),
        ...(input.description === null ? {} : { description: input.description }),
        ...(applicability === null ? {} : { applicability }),
      }
      return encodeAction(yield* Effect.flatMap(ActionService, (s) => s.update(caller, action, patch)))
    }),
  ),
  deleteAction: handle(IdArgs, (caller, a) =>
    Effect.flatMap(actionId(a.id), (action) => Effect.flatMap(ActionService, (s) => s.remove(caller, action))),
  ),
  addActionApplicability: handle(ApplicabilityChangeArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const change = yield* applicabilityChange(input)
      const entry = yield* Effect.flatMap(ActionService, (s) =>
        s.addApplicability(caller, change.actionId, change.target),
      )
      return encodeApplicabilityEntry(entry)
    }),
  ),
  removeActionApplicability: handle(ApplicabilityChangeArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const change = yield* applicabilityChange(input)
      return yield* Effect.flatMap(ActionService, (s) => s.removeApplicability(caller, change.actionId, change.target))
    }),
  ),
  createActionAssignmentRule: handle(CreateRuleArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const rule = {
        tenantId: yield* tenantArg(input.tenantId),
        entityKind: input.entityKind,
        actionName: input.actionName,
        objectKind: yield* objectKind(input.objectKind),
        objectType: input.objectType,
        decision: input.decision,
        isAbsolute: input.isAbsolute ?? false,
      }
      return encodeRule(yield* Effect.flatMap(AssignmentRuleService, (s) => s.create(caller, rule)))
    }),
  ),
  deleteActionAssignmentRule: handle(IdArgs, (caller, a) =>
    Effect.flatMap(id(AssignmentRuleId, "id")(a.id), (rule) =>
      Effect.flatMap(AssignmentRuleService, (s) => s.remove(caller, rule)),
    ),
  ),
}
