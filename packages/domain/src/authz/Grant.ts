import { Schema } from "effect"
import { ActionName } from "./ActionName.js"
import { GrantSource } from "./GrantSource.js"
import { BindingId, GroupId, ObjectId, PermissionBlockId, RoleId, TenantId } from "./ids.js"
import { PolicyEffect } from "./PolicyEffect.js"
import { ScopeMode } from "./ScopeMode.js"

/** One permission block × one action reachable by a subject (authz.md §2.4), flat as the block stores it. */
export const Grant = Schema.Struct({
  source: GrantSource,
  /** `direct`, `group:<ancestor> -> … -> <direct group>`, `tenant_membership` or `access_token_ceiling` */
  via: Schema.String,
  /** principal groups walked, outermost ancestor first; empty when not inherited */
  groupPath: Schema.Array(GroupId),
  /** direct policy, role assignment or token limit id; null for the membership grant */
  bindingId: Schema.NullOr(BindingId),
  blockId: Schema.NullOr(PermissionBlockId),
  roleId: Schema.NullOr(RoleId),
  roleName: Schema.NullOr(Schema.String),
  /** the boundary: when set, only objects of this tenant can match */
  tenantId: Schema.NullOr(TenantId),
  /** the block's own tenant, which `tenant` scope covers */
  scopeTenantId: Schema.NullOr(TenantId),
  scopeMode: ScopeMode,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(ObjectId),
  groupId: Schema.NullOr(GroupId),
  action: ActionName,
  effect: PolicyEffect,
  /** as stored: a JSON object, `{}` = unconditional; anything else fails closed */
  conditions: Schema.Unknown,
  /** after this instant the grant never matches */
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Grant = typeof Grant.Type
