import type { Resource } from "@atom/domain/resources"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** A Resource as the contract shows it: times in RFC 3339 with `+00:00`. */
export const encodeResource = (r: Resource) => ({
  ...r,
  deletedAt: graphqlTimeOrNull(r.deletedAt),
  createdAt: graphqlTime(r.createdAt),
  updatedAt: graphqlTimeOrNull(r.updatedAt),
})
