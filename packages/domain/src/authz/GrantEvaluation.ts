import { Schema } from "effect"
import { Grant } from "./Grant.js"

/** Why a grant did not match, in the order the matcher checks (authz.md §2.5); `expired` is ours. */
export const SkipReason = Schema.Literal("expired", "scope_mismatch", "grant_mismatch", "conditions_mismatch")
export type SkipReason = typeof SkipReason.Type

/** One grant's outcome in an explain trace. */
export const GrantEvaluation = Schema.Struct({
  grant: Grant,
  result: Schema.Literal("matched", "skipped"),
  skipReason: Schema.NullOr(SkipReason),
})
export type GrantEvaluation = typeof GrantEvaluation.Type
