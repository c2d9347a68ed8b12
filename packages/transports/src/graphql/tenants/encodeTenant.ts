import type { Tenant } from "@atom/domain/tenants"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** The contract's `Tenant`. */
export const encodeTenant = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  alias: t.alias,
  status: t.status,
  tags: t.tags,
  attributes: t.attributes,
  createdBy: t.createdBy,
  updatedBy: t.updatedBy,
  deletedAt: graphqlTimeOrNull(t.deletedAt),
  deletedBy: t.deletedBy,
  createdAt: graphqlTime(t.createdAt),
  updatedAt: graphqlTimeOrNull(t.updatedAt),
})
