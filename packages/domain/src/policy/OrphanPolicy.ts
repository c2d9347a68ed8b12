import { Schema } from "effect"
import { BindingId, ObjectId, PermissionBlockId, RoleId, TenantId } from "../authz/ids.js"
import { SubjectKind } from "./SubjectKind.js"

/** A binding whose subject, role or block row no longer exists (authz.md §4 hygiene). */
export const OrphanPolicy = Schema.Struct({
  id: BindingId,
  tenantId: Schema.NullOr(TenantId),
  sourceKind: Schema.Literal("role_assignment", "direct_policy"),
  subjectKind: SubjectKind,
  subjectId: ObjectId,
  roleId: Schema.NullOr(RoleId),
  permissionBlockId: Schema.NullOr(PermissionBlockId),
  orphanReason: Schema.Literal("subject_not_found", "role_not_found", "permission_block_not_found"),
  createdAt: Schema.DateFromSelf,
})
export type OrphanPolicy = typeof OrphanPolicy.Type
