import { Schema } from "effect"
import { EntityId } from "../authz/ids.js"

/** An informational owner → owned link between entities; no decision reads it (authz.md §3.5). */
export const Ownership = Schema.Struct({
  ownerId: EntityId,
  ownedId: EntityId,
  relation: Schema.String,
  createdAt: Schema.DateFromSelf,
})
export type Ownership = typeof Ownership.Type

export const DEFAULT_OWNERSHIP_RELATION = "owner"
