import { Schema } from "effect"
import { ActionName } from "./ActionName.js"
import { EntityStatus } from "./EntityStatus.js"
import { BindingId, GroupId, ObjectId, PermissionBlockId, RoleId, TenantId } from "./ids.js"
import { MembershipStatus } from "./MembershipStatus.js"
import { PolicyEffect } from "./PolicyEffect.js"
import { ScopeMode } from "./ScopeMode.js"
import { Subject } from "./Subject.js"
import { TenantStatus } from "./TenantStatus.js"

/**
 * A principal group on the way up from the subject: every group the subject is a direct member of,
 * and every ancestor of those (one row per group, with its single parent).
 */
export const PrincipalGroupRow = Schema.Struct({
  groupId: GroupId,
  parentId: Schema.NullOr(GroupId),
  status: EntityStatus,
  deleted: Schema.Boolean,
  /** the subject is a direct member of this group */
  directMember: Schema.Boolean,
})
export type PrincipalGroupRow = typeof PrincipalGroupRow.Type

/**
 * One (binding, block, action) row: a direct policy or a role assignment whose subject is the entity or
 * one of its principal groups, joined to its block(s) and each block action.
 */
export const BindingRow = Schema.Struct({
  source: Schema.Literal("direct_policy", "role_assignment"),
  bindingId: BindingId,
  /** the binding's tenant boundary */
  tenantId: Schema.NullOr(TenantId),
  subjectKind: Schema.Literal("entity", "group"),
  subjectId: ObjectId,
  roleId: Schema.NullOr(RoleId),
  roleName: Schema.NullOr(Schema.String),
  /** a tombstoned role grants nothing */
  roleDeleted: Schema.Boolean,
  blockId: PermissionBlockId,
  blockTenantId: Schema.NullOr(TenantId),
  scopeMode: ScopeMode,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(ObjectId),
  groupId: Schema.NullOr(GroupId),
  effect: PolicyEffect,
  conditions: Schema.Unknown,
  action: ActionName,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
})
export type BindingRow = typeof BindingRow.Type

/** One of the subject's tenant memberships with its tenant's lifecycle. */
export const MembershipRow = Schema.Struct({
  tenantId: TenantId,
  status: MembershipStatus,
  tenantStatus: TenantStatus,
  tenantDeleted: Schema.Boolean,
})
export type MembershipRow = typeof MembershipRow.Type

/** Everything grant expansion reads, loadable in three queries (groups, bindings, memberships). */
export const GrantExpansionInput = Schema.Struct({
  subject: Subject,
  principalGroups: Schema.Array(PrincipalGroupRow),
  bindings: Schema.Array(BindingRow),
  memberships: Schema.Array(MembershipRow),
})
export type GrantExpansionInput = typeof GrantExpansionInput.Type
