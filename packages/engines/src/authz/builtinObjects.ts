import type { ResolvedObject, TenantState } from "@atom/domain/authz"

/** The platform pseudo-object: no id, no tenant; only platform grants cover it. */
export const platformObject: ResolvedObject = {
  kind: "platform",
  subKind: "platform",
  id: null,
  tenant: null,
  parentGroupId: null,
  ancestorGroupIds: [],
  attributes: {},
}

/** A tenant as a PDP object: its own tenant, type `tenant:tenant`, attributes the tenant's. */
export const tenantObject = (tenant: TenantState): ResolvedObject => ({
  kind: "tenant",
  subKind: "tenant",
  id: tenant.id,
  tenant,
  parentGroupId: null,
  ancestorGroupIds: [],
  attributes: tenant.attributes,
})
