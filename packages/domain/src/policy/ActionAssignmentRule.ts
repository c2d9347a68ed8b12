import { Schema } from "effect"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { EntityKind } from "../authz/EntityKind.js"
import { TenantId } from "../authz/ids.js"
import { AssignmentRuleId } from "./ids.js"

/** What a guardrail rule says about an assignment it matches. */
export const GuardrailDecision = Schema.Literal("allow", "deny", "require_override")
export type GuardrailDecision = typeof GuardrailDecision.Type

/**
 * A guardrail (authz.md §1 action_assignment_rules): may an entity of `entityKind` receive `actionName`
 * on objects of `objectKind` (and `objectType`, null = any)? Judged at assignment time, never at check time.
 */
export const ActionAssignmentRule = Schema.Struct({
  id: AssignmentRuleId,
  /** null = global rule */
  tenantId: Schema.NullOr(TenantId),
  entityKind: EntityKind,
  actionName: Schema.String,
  objectKind: CatalogueObjectKind,
  objectType: Schema.NullOr(Schema.String),
  decision: GuardrailDecision,
  isAbsolute: Schema.Boolean,
  createdAt: Schema.DateFromSelf,
})
export type ActionAssignmentRule = typeof ActionAssignmentRule.Type
