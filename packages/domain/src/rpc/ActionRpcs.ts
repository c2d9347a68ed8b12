import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { EntityKind } from "../authz/EntityKind.js"
import { TenantId } from "../authz/ids.js"
import { Action, ApplicabilityTarget } from "../policy/Action.js"
import { ActionAssignmentRule, GuardrailDecision } from "../policy/ActionAssignmentRule.js"
import { AssignmentRuleId } from "../policy/ids.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** The action vocabulary and its guardrails with their instants as RFC 3339 strings on the wire. */
export const ActionOnWire = Schema.Struct({ ...Action.fields, createdAt: Schema.Date, updatedAt: Schema.Date })

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

/** Actions and action assignment rules (guardrails) of the catalogue (authz.md §1, §3.4). */
export class ActionRpcs extends RpcGroup.make(
  Rpc.make("ListActions", { payload: ListActionsPayload, success: PageOf(ActionOnWire), error: AtomRpcError }),
  Rpc.make("CreateAction", { payload: CreateActionPayload, success: ActionOnWire, error: AtomRpcError }),
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
