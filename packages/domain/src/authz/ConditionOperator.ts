import { Schema } from "effect"

/** Operators of a condition's operator map (authz.md §2.7); any other key never matches. */
export const ConditionOperator = Schema.Literal("eq", "neq", "contains", "in", "gt", "gte", "lt", "lte")
export type ConditionOperator = typeof ConditionOperator.Type
