import { Schema } from "effect"

// Identifiers of the policy catalogue; roles, blocks and bindings reuse the authz brands.
export const ActionId = Schema.UUID.pipe(Schema.brand("ActionId"))
export type ActionId = typeof ActionId.Type

export const AssignmentRuleId = Schema.UUID.pipe(Schema.brand("AssignmentRuleId"))
export type AssignmentRuleId = typeof AssignmentRuleId.Type
