import { Schema } from "effect"
import { GroupId, ObjectId, TenantId } from "../authz/ids.js"
import { PolicyEffect } from "../authz/PolicyEffect.js"
import { ActionId } from "./ids.js"
import { PageRequest } from "./Page.js"

/** createPermissionBlock as received; scope fields are checked per scope mode by the service. */
export const CreatePermissionBlockInput = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  scopeMode: Schema.String,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(ObjectId),
  groupId: Schema.NullOr(GroupId),
  effect: PolicyEffect,
  /** anything; null/absent becomes `{}`, a non-object is refused */
  conditions: Schema.Unknown,
  actionIds: Schema.Array(ActionId),
})
export type CreatePermissionBlockInput = typeof CreatePermissionBlockInput.Type

export const BlockFilter = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  scopeMode: Schema.NullOr(Schema.String),
  page: PageRequest,
})
export type BlockFilter = typeof BlockFilter.Type
