import type { CompiledGrant } from "@atom/engines/authz"
import type { ListingReach } from "@atom/repositories/authz"

/**
 * Where a listing's unconditional allows can reach, for narrowing the candidate query: exact objects,
 * tenants, or everywhere. A superset: the engine still decides each candidate.
 */
export const listingReach = (allows: ReadonlyArray<CompiledGrant>): ListingReach => {
  let anyTenant = false
  const tenantIds = new Set<string>()
  const objectIds = new Set<string>()
  for (const { grant } of allows) {
    if (grant.scopeMode === "object") {
      if (grant.objectId !== null) objectIds.add(grant.objectId)
      continue
    }
    // tenant and group scopes live in their block's tenant; the others reach as far as the boundary
    const scoped = grant.scopeMode === "platform" || grant.scopeMode.startsWith("object_") ? null : grant.scopeTenantId
    const tenant = grant.tenantId ?? scoped
    if (tenant === null) anyTenant = true
    else tenantIds.add(tenant)
  }
  return { anyTenant, tenantIds: [...tenantIds], objectIds: [...objectIds] }
}
