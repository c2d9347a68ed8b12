import type { Entity, Ownership } from "@atom/domain/entities"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** An Entity as the contract shows it: times in RFC 3339 with `+00:00`. */
export const encodeEntity = (e: Entity) => ({
  ...e,
  deletedAt: graphqlTimeOrNull(e.deletedAt),
  createdAt: graphqlTime(e.createdAt),
  updatedAt: graphqlTimeOrNull(e.updatedAt),
})

export const encodeOwnership = (o: Ownership) => ({ ...o, createdAt: graphqlTime(o.createdAt) })
