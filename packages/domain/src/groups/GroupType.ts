import { Schema } from "effect"

/** Object groups say "where" (containment); principal groups say "who" (subjects). */
export const GroupType = Schema.Literal("object", "principal")
export type GroupType = typeof GroupType.Type
