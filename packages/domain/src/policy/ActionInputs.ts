import { Schema } from "effect"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { EntityKind } from "../authz/EntityKind.js"
import { TenantId } from "../authz/ids.js"
import { ApplicabilityTarget } from "./Action.js"
import { GuardrailDecision } from "./ActionAssignmentRule.js"
import { PageRequest } from "./Page.js"

export const CreateActionInput = Schema.Struct({
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  applicability: Schema.Array(ApplicabilityTarget),
})
export type CreateActionInput = typeof CreateActionInput.Type

/** Absent fields stay as they are; `applicability`, when given, replaces the action's rows. */
export const UpdateActionInput = Schema.Struct({
  name: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  applicability: Schema.optional(Schema.Array(ApplicabilityTarget)),
})
export type UpdateActionInput = typeof UpdateActionInput.Type

export const ActionFilter = Schema.Struct({
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  page: PageRequest,
})
export type ActionFilter = typeof ActionFilter.Type

export const ApplicabilityFilter = Schema.Struct({
  /** substring of the action name, case-insensitive */
  actionName: Schema.NullOr(Schema.String),
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  page: PageRequest,
})
export type ApplicabilityFilter = typeof ApplicabilityFilter.Type

export const CreateAssignmentRuleInput = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  entityKind: EntityKind,
  actionName: Schema.String,
  objectKind: CatalogueObjectKind,
  objectType: Schema.NullOr(Schema.String),
  decision: GuardrailDecision,
  isAbsolute: Schema.Boolean,
})
export type CreateAssignmentRuleInput = typeof CreateAssignmentRuleInput.Type

export const AssignmentRuleFilter = Schema.Struct({
  /** rules of exactly this tenant; null = the global rules */
  tenantId: Schema.NullOr(TenantId),
  entityKind: Schema.NullOr(EntityKind),
  actionName: Schema.NullOr(Schema.String),
  objectKind: Schema.NullOr(CatalogueObjectKind),
  objectType: Schema.NullOr(Schema.String),
  decision: Schema.NullOr(GuardrailDecision),
  page: PageRequest,
})
export type AssignmentRuleFilter = typeof AssignmentRuleFilter.Type
