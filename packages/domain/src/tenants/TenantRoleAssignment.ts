import { Schema } from "effect"
import { RoleId } from "../authz/ids.js"

/** A role the caller holds in a tenant, with how it reaches them: `direct` or `group:a -> b`. */
export const TenantRoleAssignment = Schema.Struct({
  roleId: RoleId,
  roleName: Schema.String,
  actions: Schema.Array(Schema.String),
  assignmentPaths: Schema.Array(Schema.String),
})
export type TenantRoleAssignment = typeof TenantRoleAssignment.Type
