import { Schema } from "effect"

/** Status of entities and of groups (object and principal). */
export const EntityStatus = Schema.Literal("active", "inactive", "suspended")
export type EntityStatus = typeof EntityStatus.Type
