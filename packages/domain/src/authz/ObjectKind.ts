import { Schema } from "effect"

/** The coarse kinds a PDP check can target. */
export const ObjectKind = Schema.Literal("platform", "resource", "tenant", "entity", "group", "credential")
export type ObjectKind = typeof ObjectKind.Type
