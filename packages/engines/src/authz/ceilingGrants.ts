import type { CeilingEntryRow, Grant, GroupId } from "@atom/domain/authz"

const noPath: ReadonlyArray<GroupId> = []

/** A scoped token's permission limits as allow grants; evaluated with the same matcher as real grants. */
export const ceilingGrants = (rows: ReadonlyArray<CeilingEntryRow>): Array<Grant> =>
  rows.map(
    (row): Grant => ({
      source: "access_token_ceiling",
      via: "access_token_ceiling",
      groupPath: noPath,
      bindingId: row.limitId,
      blockId: null,
      roleId: null,
      roleName: null,
      tenantId: row.tenantId,
      scopeTenantId: row.tenantId,
      scopeMode: row.scopeMode,
      objectKind: row.objectKind,
      objectType: row.objectType,
      objectId: row.objectId,
      groupId: null,
      action: row.action,
      effect: "allow",
      conditions: row.conditions,
      expiresAt: null,
    }),
  )
