import type { ResolvedObject, TenantStatus } from "@atom/domain/authz"

/** The status that blocks every decision on the object (§2.8), or null when its tenant is usable. */
export const blockingTenantStatus = (object: ResolvedObject): TenantStatus | null => {
  const tenant = object.tenant
  if (tenant === null) return null
  if (tenant.deleted) return "deleted"
  return tenant.status === "active" ? null : tenant.status
}
