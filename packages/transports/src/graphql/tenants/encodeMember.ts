import type { TenantMember } from "@atom/domain/tenants"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** A member as the contract's `Entity`. */
export const encodeMember = (e: TenantMember) => ({
  id: e.id,
  kind: e.kind,
  profileId: e.profileId,
  profileVersionId: e.profileVersionId,
  name: e.name,
  alias: e.alias,
  tenantId: e.tenantId,
  parentGroupId: e.parentGroupId,
  status: e.status,
  attributes: e.attributes,
  deletedAt: graphqlTimeOrNull(e.deletedAt),
  deletedBy: e.deletedBy,
  createdAt: graphqlTime(e.createdAt),
  updatedAt: graphqlTimeOrNull(e.updatedAt),
})
