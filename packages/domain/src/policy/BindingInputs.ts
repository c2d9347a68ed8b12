import { Schema } from "effect"
import { ObjectId, PermissionBlockId, RoleId, TenantId } from "../authz/ids.js"
import { PageRequest } from "./Page.js"
import { SubjectKind } from "./SubjectKind.js"

export const CreateRoleAssignmentInput = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  subjectKind: SubjectKind,
  subjectId: ObjectId,
  roleId: RoleId,
})
export type CreateRoleAssignmentInput = typeof CreateRoleAssignmentInput.Type

export const CreateDirectPolicyInput = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  subjectKind: SubjectKind,
  subjectId: ObjectId,
  permissionBlockId: PermissionBlockId,
})
export type CreateDirectPolicyInput = typeof CreateDirectPolicyInput.Type

export const RoleAssignmentFilter = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  subjectKind: Schema.NullOr(SubjectKind),
  subjectId: Schema.NullOr(ObjectId),
  roleId: Schema.NullOr(RoleId),
  page: PageRequest,
})
export type RoleAssignmentFilter = typeof RoleAssignmentFilter.Type

export const DirectPolicyFilter = Schema.Struct({
  tenantId: Schema.NullOr(TenantId),
  subjectKind: Schema.NullOr(SubjectKind),
  subjectId: Schema.NullOr(ObjectId),
  permissionBlockId: Schema.NullOr(PermissionBlockId),
  page: PageRequest,
})
export type DirectPolicyFilter = typeof DirectPolicyFilter.Type
