import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { EntityKind } from "../authz/EntityKind.js"
import { TenantId } from "../authz/ids.js"
import { Action, ApplicabilityTarget } from "../policy/Action.js"
import { ActionApplicabilityEntry } from "../policy/ActionApplicabilityEntry.js"
import { ActionAssignmentRule, GuardrailDecision } from "../policy/ActionAssignmentRule.js"
import { ActionId, AssignmentRuleId } from "../policy/ids.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** The action vocabulary and its guardrails with their instants as RFC 3339 strings on the wire. */
export const ActionOnWire = Schema.Struct({ ...Action.fields, createdAt: Schema.Date, updatedAt: Schema.Date })

export const ActionApplicabilityEntryOnWire = Schema.Struct({
  ...ActionApplicabilityEntry.fields,
  createdAt: Schema.Date,
})

export const ActionAssignmentRuleOnWire = Schema.Struct({ ...ActionAssignmentRule.fields, createdAt: Schema.Date })

/** `tenantId` only chooses where the caller's read permission is checked; actions are global. */
export const ListActionsPayload = Schema.Struct({
  objectKind: Optional(Schema.String),
  objectType: Optional(Schema.String),
  tenantId: Optional(TenantId),
  ...PageFields,
})

export const CreateActionPayload = Schema.Struct({
  name: Schema.String,
  description: Optional(Schema.String),
  applicability: Optional(Schema.Array(ApplicabilityTarget)),
})

/** Absent or null keeps a field; `applicability`, when given, replaces the action's rows. */
export const UpdateActionPayload = Schema.Struct({
  id: ActionId,
  name: Optional(Schema.String),
  description: Optional(Schema.String),
  applicability: Optional(Schema.Array(ApplicabilityTarget)),
})

/** `tenantId` only chooses where the caller's read permission is checked; `actionName` is a substring. */
export const ListActionApplicabilityPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  actionName: Optional(Schema.String),
  objectKind: Optional(Schema.String),
  objectType: Optional(Schema.String),
  ...PageFields,
})

/** One (object kind, type) an action applies to, added or removed on its own. */
export const ActionApplicabilityChangePayload = Schema.Struct({
  actionId: ActionId,
  objectKind: CatalogueObjectKind,
  objectType: Optional(Schema.String),
})

export const CreateActionAssignmentRulePayload = Schema.Struct({
  tenantId: Optional(TenantId),
  entityKind: EntityKind,
  actionName: Schema.String,
  objectKind: CatalogueObjectKind,
  objectType: Optional(Schema.String),
  decision: GuardrailDecision,
  isAbsolute: Optional(Schema.Boolean),
})

/** `tenantId` absent = the global rules. */
export const ListActionAssignmentRulesPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  entityKind: Optional(EntityKind),
  actionName: Optional(Schema.String),
  objectKind: Optional(CatalogueObjectKind),
  objectType: Optional(Schema.String),
  decision: Optional(GuardrailDecision),
  ...PageFields,
})

/** Actions, their applicability and action assignment rules (guardrails) of the catalogue (authz.md §1, §3.4). */
export class ActionRpcs extends RpcGroup.make(
  Rpc.make("ListActions", { payload: ListActionsPayload, success: PageOf(ActionOnWire), error: AtomRpcError }),
  Rpc.make("GetAction", { payload: { id: ActionId }, success: ActionOnWire, error: AtomRpcError }),
  Rpc.make("CreateAction", { payload: CreateActionPayload, success: ActionOnWire, error: AtomRpcError }),
  Rpc.make("UpdateAction", { payload: UpdateActionPayload, success: ActionOnWire, error: AtomRpcError }),
  Rpc.make("DeleteAction", { payload: { id: ActionId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("ListActionApplicability", {
    payload: ListActionApplicabilityPayload,
    success: PageOf(ActionApplicabilityEntryOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("AddActionApplicability", {
    payload: ActionApplicabilityChangePayload,
    success: ActionApplicabilityEntryOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RemoveActionApplicability", {
    payload: ActionApplicabilityChangePayload,
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
  Rpc.make("CreateActionAssignmentRule", {
    payload: CreateActionAssignmentRulePayload,
    success: ActionAssignmentRuleOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("ListActionAssignmentRules", {
    payload: ListActionAssignmentRulesPayload,
    success: PageOf(ActionAssignmentRuleOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("DeleteActionAssignmentRule", {
    payload: { id: AssignmentRuleId },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
) {}
