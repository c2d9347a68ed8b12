import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityStatus } from "../authz/EntityStatus.js"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"
import { Group } from "../groups/Group.js"
import { DeletedFilter } from "../tenants/DeletedFilter.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { EntityOnWire } from "./EntityRpcs.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** `Group` with its instants as RFC 3339 strings on the wire. */
export const GroupOnWire = Schema.Struct({
  ...Group.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

/** The group's type is the operation's (`CreatePrincipalGroup` / `CreateObjectGroup`). */
export const CreateGroupPayload = Schema.Struct({
  id: Optional(GroupId),
  name: Schema.String,
  tenantId: Optional(TenantId),
  description: Optional(Schema.String),
  attributes: Optional(JsonObject),
})

export const ListPrincipalGroupsPayload = Schema.Struct({
  q: Optional(Schema.String),
  tenantId: Optional(TenantId),
  status: Optional(EntityStatus),
  deleted: Optional(DeletedFilter),
  ...PageFields,
})

/** Object groups form a tree: `parentId` lists one group's direct children. */
export const ListObjectGroupsPayload = Schema.Struct({
  ...ListPrincipalGroupsPayload.fields,
  parentId: Optional(GroupId),
})

/** Patch semantics: an absent or null field keeps its value. */
export const UpdateGroupPayload = Schema.Struct({
  id: GroupId,
  name: Optional(Schema.String),
  description: Optional(Schema.String),
  status: Optional(EntityStatus),
  attributes: Optional(JsonObject),
})

export const GroupMemberPayload = Schema.Struct({ groupId: GroupId, entityId: EntityId })

/** Group trees: `parentId` becomes the group's parent (same tenant, no cycle). */
export const SetGroupParentPayload = Schema.Struct({ id: GroupId, parentId: GroupId })

export const ChildGroupsPayload = Schema.Struct({ parentId: GroupId, ...PageFields })

/**
 * Principal and object groups: CRUD, lifecycle (enable, disable, suspend, restore, purge), trees, and
 * principal-group membership (authz.md §1, api.md §3.5).
 */
export class GroupRpcs extends RpcGroup.make(
  Rpc.make("CreatePrincipalGroup", { payload: CreateGroupPayload, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("CreateObjectGroup", { payload: CreateGroupPayload, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("GetGroup", { payload: { id: GroupId }, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("ListPrincipalGroups", {
    payload: ListPrincipalGroupsPayload,
    success: PageOf(GroupOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("ListObjectGroups", { payload: ListObjectGroupsPayload, success: PageOf(GroupOnWire), error: AtomRpcError }),
  /** both types (`groups`) */
  Rpc.make("ListGroups", { payload: ListObjectGroupsPayload, success: PageOf(GroupOnWire), error: AtomRpcError }),
  Rpc.make("UpdateGroup", { payload: UpdateGroupPayload, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("DeleteGroup", { payload: { id: GroupId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RestoreGroup", { payload: { id: GroupId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("PurgeGroup", { payload: { id: GroupId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("EnableGroup", { payload: { id: GroupId }, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("DisableGroup", { payload: { id: GroupId }, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("SuspendGroup", { payload: { id: GroupId }, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("SetGroupParent", { payload: SetGroupParentPayload, success: GroupOnWire, error: AtomRpcError }),
  Rpc.make("RemoveGroupParent", { payload: { id: GroupId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("ChildGroups", { payload: ChildGroupsPayload, success: PageOf(GroupOnWire), error: AtomRpcError }),
  Rpc.make("AddGroupMember", { payload: GroupMemberPayload, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RemoveGroupMember", { payload: GroupMemberPayload, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("GroupMembers", {
    payload: { groupId: GroupId },
    success: Schema.Array(EntityOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("EntityGroups", {
    payload: { entityId: EntityId },
    success: Schema.Array(Schema.String),
    error: AtomRpcError,
  }),
) {}
