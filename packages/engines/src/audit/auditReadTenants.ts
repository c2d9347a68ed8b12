import { listingGrants } from "../authz/authorizedObjects.js"
import type { CompiledGrant } from "../authz/CompiledGrant.js"
import type { GrantSet } from "../authz/GrantSet.js"

const AUDIT_KIND = "audit_log"
const READ = "read"

/** Whether a grant reaches the audit rows of tenant `t` at all (boundary, then scope). */
const reachesAuditOf = (compiled: CompiledGrant, t: string): boolean => {
  const g = compiled.grant
  if (g.tenantId !== null && g.tenantId !== t) return false
  switch (g.scopeMode) {
    case "platform":
      return true
    case "tenant":
      return g.scopeTenantId === t
    case "object_kind":
      return g.objectKind === AUDIT_KIND
    default:
      return false
  }
}

/** The tenant whose audit rows an unconditional allow opens, per identity-certs §4, or null. */
const tenantOpenedBy = (compiled: CompiledGrant): string | null => {
  const g = compiled.grant
  if (g.scopeMode === "tenant" && g.scopeTenantId !== null) {
    return g.tenantId === null || g.tenantId === g.scopeTenantId ? g.scopeTenantId : null
  }
  // an audit_log-kind grant counts only when bounded to a tenant
  if (g.scopeMode === "object_kind" && g.objectKind === AUDIT_KIND) return g.tenantId
  return null
}

/**
 * The tenants whose audit rows a caller without platform read may see (identity-certs §4, authz.md §3.2
 * and note 21): an unconditional, unexpired `read` allow through a tenant-scope grant or an
 * `object_kind = audit_log` grant bounded to the tenant, with no `read` deny (conditional or not) reaching
 * that tenant's audit rows. A scoped token's ceiling must reach the tenant too. Exact-object, group and
 * platform-filtered grants never open audit rows.
 */
export const auditReadTenants = (grants: GrantSet, ceiling: GrantSet | null, now: number): Array<string> => {
  const { allows, denies } = listingGrants(grants, READ, now)
  const candidates = new Set<string>()
  for (const allow of allows) {
    const t = tenantOpenedBy(allow)
    if (t !== null) candidates.add(t)
  }
  const ceilingAllows = ceiling === null ? null : listingGrants(ceiling, READ, now).allows
  return [...candidates].filter(
    (t) =>
      !denies.some((d) => reachesAuditOf(d, t)) &&
      (ceilingAllows === null || ceilingAllows.some((c) => reachesAuditOf(c, t))),
  )
}
