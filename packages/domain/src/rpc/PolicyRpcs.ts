import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { BindingId, ObjectId, PermissionBlockId, RoleId, TenantId } from "../authz/ids.js"
import { CreateDirectPolicyInput, CreateRoleAssignmentInput } from "../policy/BindingInputs.js"
import { CreatePermissionBlockInput } from "../policy/BlockInputs.js"
import { DeletedFilter } from "../policy/DeletedFilter.js"
import { DirectPolicy } from "../policy/DirectPolicy.js"
import { OrphanPolicy } from "../policy/OrphanPolicy.js"
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

export const OrphanPolicyOnWire = Schema.Struct({ ...OrphanPolicy.fields, createdAt: Schema.Date })

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

/** Absent or null keeps a field. */
export const UpdateRolePayload = Schema.Struct({
  id: RoleId,
  name: Optional(Schema.String),
  description: Optional(Schema.String),
})

export const ListPermissionBlocksPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  scopeMode: Optional(Schema.String),
  ...PageFields,
})

export const ReplaceRolePermissionBlocksPayload = Schema.Struct({
  roleId: RoleId,
  permissionBlockIds: Schema.Array(PermissionBlockId),
})

/** Permission blocks, roles (and their lifecycle), role assignments and direct policies (authz.md §1, api.md §3.5). */
export class PolicyRpcs extends RpcGroup.make(
  Rpc.make("CreatePermissionBlock", {
    payload: CreatePermissionBlockInput,
    success: PermissionBlockOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("ListPermissionBlocks", {
    payload: ListPermissionBlocksPayload,
    success: PageOf(PermissionBlockOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("GetPermissionBlock", {
    payload: { id: PermissionBlockId },
    success: PermissionBlockOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("DeletePermissionBlock", {
    payload: { id: PermissionBlockId },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
  Rpc.make("CreateRole", { payload: CreateRoleInput, success: RoleOnWire, error: AtomRpcError }),
  Rpc.make("GetRole", { payload: { id: RoleId }, success: RoleOnWire, error: AtomRpcError }),
  Rpc.make("ListRoles", { payload: ListRolesPayload, success: PageOf(RoleOnWire), error: AtomRpcError }),
  Rpc.make("UpdateRole", { payload: UpdateRolePayload, success: RoleOnWire, error: AtomRpcError }),
  Rpc.make("DeleteRole", { payload: { id: RoleId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RestoreRole", { payload: { id: RoleId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("PurgeRole", { payload: { id: RoleId }, success: Schema.Boolean, error: AtomRpcError }),
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
  /** bindings whose subject, role or block is gone (paged, a bare array as GraphQL's) */
  Rpc.make("OrphanPolicies", { payload: PageFields, success: Schema.Array(OrphanPolicyOnWire), error: AtomRpcError }),
) {}
