import type { Grant } from "@atom/domain/authz"

/** A grant as the `AuthzGrant` type shows it. */
export const grantObject = (grant: Grant) => ({
  source: grant.source,
  via: grant.via,
  principalGroupPath: grant.groupPath,
  bindingId: grant.bindingId,
  blockId: grant.blockId,
  roleId: grant.roleId,
  roleName: grant.roleName,
  tenantId: grant.tenantId,
  scopeMode: grant.scopeMode,
  scopeTenantId: grant.scopeTenantId,
  objectKind: grant.objectKind,
  objectType: grant.objectType,
  objectId: grant.objectId,
  groupId: grant.groupId,
  action: grant.action,
  effect: grant.effect,
  conditions: grant.conditions,
})
