import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { BindingId, ObjectId, PermissionBlockId, RoleId, TenantId } from "../authz/ids.js"
import { CreateDirectPolicyInput, CreateRoleAssignmentInput } from "../policy/BindingInputs.js"
import { CreatePermissionBlockInput } from "../policy/BlockInputs.js"
import { DeletedFilter } from "../policy/DeletedFilter.js"
import { DirectPolicy } from "../policy/DirectPolicy.js"
import { PermissionBlock } from "../policy/PermissionBlock.js"
import { Role, RoleDerivedKind } from "../policy/Role.js"
import { RoleAssignment } from "../policy/RoleAssignment.js"
import { CreateRoleInput } from "../policy/RoleInputs.js"
import { SubjectKind } from "../policy/SubjectKind.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** The policy objects with their instants as RFC 3339 strings on the wire. */
export const PermissionBlockOnWire = Schema.Struct({
  ...PermissionBlock.fields,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
})

export const RoleOnWire = Schema.Struct({
  ...Role.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
})

export const RoleAssignmentOnWire = Schema.Struct({ ...RoleAssignment.fields, createdAt: Schema.Date })

export const DirectPolicyOnWire = Schema.Struct({ ...DirectPolicy.fields, createdAt: Schema.Date })

export const ListRolesPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  derivedKind: Optional(RoleDerivedKind),
  q: Optional(Schema.String),
  deleted: Optional(DeletedFilter),
  ...PageFields,
})

export const ListRoleAssignmentsPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  subjectKind: Optional(SubjectKind),
  subjectId: Optional(ObjectId),
  roleId: Optional(RoleId),
  ...PageFields,
})

export const ListDirectPoliciesPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  subjectKind: Optional(SubjectKind),
  subjectId: Optional(ObjectId),
  permissionBlockId: Optional(PermissionBlockId),
  ...PageFields,
})

export const ReplaceRolePermissionBlocksPayload = Schema.Struct({
  roleId: RoleId,
  permissionBlockIds: Schema.Array(PermissionBlockId),
})

/** Permission blocks, roles, role assignments and direct policies (authz.md §1, api.md §3.5). */
export class PolicyRpcs extends RpcGroup.make(
  Rpc.make("CreatePermissionBlock", {
    payload: CreatePermissionBlockInput,
    success: PermissionBlockOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("CreateRole", { payload: CreateRoleInput, success: RoleOnWire, error: AtomRpcError }),
  Rpc.make("ListRoles", { payload: ListRolesPayload, success: PageOf(RoleOnWire), error: AtomRpcError }),
  Rpc.make("DeleteRole", { payload: { id: RoleId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("ReplaceRolePermissionBlocks", {
    payload: ReplaceRolePermissionBlocksPayload,
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
  Rpc.make("CreateRoleAssignment", {
    payload: CreateRoleAssignmentInput,
    success: RoleAssignmentOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("ListRoleAssignments", {
    payload: ListRoleAssignmentsPayload,
    success: PageOf(RoleAssignmentOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("DeleteRoleAssignment", { payload: { id: BindingId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("CreateDirectPolicy", {
    payload: CreateDirectPolicyInput,
    success: DirectPolicyOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("ListDirectPolicies", {
    payload: ListDirectPoliciesPayload,
    success: PageOf(DirectPolicyOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("DeleteDirectPolicy", { payload: { id: BindingId }, success: Schema.Boolean, error: AtomRpcError }),
) {}
