import { type CompiledGrant, splitType } from "@atom/engines/authz"
import type { ListingReach, ReachScope } from "@atom/repositories/authz"

/** One allow's scope for the SQL test; the namespaced type split as the engine splits it (bare = inert). */
const reachScope = ({ grant }: CompiledGrant): ReachScope => {
  const split = grant.objectType === null ? undefined : splitType(grant.objectType)
  return {
    boundary: grant.tenantId,
    mode: grant.scopeMode,
    scopeTenant: grant.scopeTenantId,
    kind: grant.scopeMode === "object_type" ? (split?.kind ?? null) : grant.objectKind,
    subKind: grant.scopeMode === "object_type" ? (split?.subKind ?? null) : null,
    objectId: grant.objectId,
    groupId: grant.groupId,
  }
}

/**
 * Where a listing's unconditional allows can reach, for narrowing the candidate query: exact objects,
 * tenants, or everywhere, and each allow's own scope. A superset: the engine still decides each candidate.
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
  return { anyTenant, tenantIds: [...tenantIds], objectIds: [...objectIds], scopes: allows.map(reachScope) }
}
