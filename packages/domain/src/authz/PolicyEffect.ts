import { Schema } from "effect"

/** A block's effect; named PolicyEffect so it never shadows effect's `Effect`. */
export const PolicyEffect = Schema.Literal("allow", "deny")
export type PolicyEffect = typeof PolicyEffect.Type
