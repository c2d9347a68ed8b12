import type { Group } from "@atom/domain/groups"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** A Group as the contract shows it: times in RFC 3339 with `+00:00`. */
export const encodeGroup = (g: Group) => ({
  ...g,
  deletedAt: graphqlTimeOrNull(g.deletedAt),
  createdAt: graphqlTime(g.createdAt),
  updatedAt: graphqlTimeOrNull(g.updatedAt),
})
