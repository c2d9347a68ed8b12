import { Schema } from "effect"
import { EntityId, PermissionBlockId, RoleId, TenantId } from "../authz/ids.js"
import type { PermissionBlockView } from "./PermissionBlock.js"

/** `simple` = holds blocks, `empty` = holds none; `composite` (child roles) does not exist in v1. */
export const RoleDerivedKind = Schema.Literal("simple", "composite", "empty")
export type RoleDerivedKind = typeof RoleDerivedKind.Type

/** A role: a named bundle of permission blocks; tenant null = platform role (authz.md §1 roles). */
export const Role = Schema.Struct({
  id: RoleId,
  name: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  description: Schema.NullOr(Schema.String),
  deletedAt: Schema.NullOr(Schema.DateFromSelf),
  deletedBy: Schema.NullOr(EntityId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  /** linked blocks, oldest first */
  permissionBlockIds: Schema.Array(PermissionBlockId),
})
export type Role = typeof Role.Type

/** A role with its blocks resolved, as the API shows it. */
export interface RoleView extends Role {
  readonly derivedKind: RoleDerivedKind
  readonly permissionBlocks: ReadonlyArray<PermissionBlockView>
}

export const derivedKindOf = (role: Role): RoleDerivedKind => (role.permissionBlockIds.length > 0 ? "simple" : "empty")
