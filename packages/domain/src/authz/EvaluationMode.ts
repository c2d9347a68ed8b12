import { Schema } from "effect"

/**
 * `runtime` evaluates conditions against the ABAC document; `gate` is fail-closed for admin gates and
 * listings: a conditional deny applies, a conditional allow does not.
 */
export const EvaluationMode = Schema.Literal("runtime", "gate")
export type EvaluationMode = typeof EvaluationMode.Type
