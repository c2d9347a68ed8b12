import { Schema } from "effect"
import { TenantId } from "../authz/ids.js"
import { DeletedFilter } from "./DeletedFilter.js"
import { PageRequest } from "./Page.js"
import { RoleDerivedKind } from "./Role.js"

export const CreateRoleInput = Schema.Struct({
  name: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  description: Schema.NullOr(Schema.String),
})
export type CreateRoleInput = typeof CreateRoleInput.Type

/** Absent fields stay as they are. */
export const UpdateRoleInput = Schema.Struct({
  name: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
})
export type UpdateRoleInput = typeof UpdateRoleInput.Type

export const RoleFilter = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  derivedKind: Schema.NullOr(RoleDerivedKind),
  q: Schema.NullOr(Schema.String),
  deleted: DeletedFilter,
  page: PageRequest,
})
export type RoleFilter = typeof RoleFilter.Type
