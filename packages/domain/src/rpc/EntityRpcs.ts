import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityKind } from "../authz/EntityKind.js"
import { EntityStatus } from "../authz/EntityStatus.js"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"
import { Entity } from "../entities/Entity.js"
import { Ownership } from "../entities/Ownership.js"
import { DeletedFilter } from "../tenants/DeletedFilter.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** `Entity` with its instants as RFC 3339 strings on the wire. */
export const EntityOnWire = Schema.Struct({
  ...Entity.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const CreateEntityPayload = Schema.Struct({
  id: Optional(EntityId),
  profileId: Optional(Schema.UUID),
  profileVersionId: Optional(Schema.UUID),
  kind: Optional(EntityKind),
  name: Schema.String,
  alias: Optional(Schema.String),
  tenantId: Optional(TenantId),
  attributes: Optional(JsonObject),
})

export const ListEntitiesPayload = Schema.Struct({
  q: Optional(Schema.String),
  kind: Optional(EntityKind),
  profileId: Optional(Schema.UUID),
  tenantId: Optional(TenantId),
  parentGroupId: Optional(GroupId),
  includeDescendants: Optional(Schema.Boolean),
  status: Optional(EntityStatus),
  deleted: Optional(DeletedFilter),
  ...PageFields,
})

/** Patch semantics: an absent or null field keeps its value, except `alias`, which null clears. */
export const UpdateEntityPayload = Schema.Struct({
  id: EntityId,
  name: Optional(Schema.String),
  kind: Optional(EntityKind),
  alias: Optional(Schema.String),
  tenantId: Optional(TenantId),
  profileId: Optional(Schema.UUID),
  profileVersionId: Optional(Schema.UUID),
  status: Optional(EntityStatus),
  attributes: Optional(JsonObject),
})

export const OwnershipOnWire = Schema.Struct({ ...Ownership.fields, createdAt: Schema.Date })

/** Placement of an entity in an object group (`addEntityToObjectGroup` / `setEntityParentGroup`). */
export const EntityPlacementPayload = Schema.Struct({ entityId: EntityId, objectGroupId: GroupId })

export const OwnershipPayload = Schema.Struct({ ownerId: EntityId, ownedId: EntityId })

/** `relation` absent = the default relation (`owner`). */
export const AddOwnershipPayload = Schema.Struct({ ...OwnershipPayload.fields, relation: Optional(Schema.String) })

/**
 * Entities: create, read, list, update, delete; lifecycle (enable, disable, restore, purge), placement in
 * an object group and ownership (api.md §3.5).
 */
export class EntityRpcs extends RpcGroup.make(
  Rpc.make("CreateEntity", { payload: CreateEntityPayload, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("GetEntity", { payload: { id: EntityId }, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("ListEntities", { payload: ListEntitiesPayload, success: PageOf(EntityOnWire), error: AtomRpcError }),
  Rpc.make("UpdateEntity", { payload: UpdateEntityPayload, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("DeleteEntity", { payload: { id: EntityId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RestoreEntity", { payload: { id: EntityId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("PurgeEntity", { payload: { id: EntityId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("EnableEntity", { payload: { id: EntityId }, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("DisableEntity", { payload: { id: EntityId }, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("AddEntityToObjectGroup", { payload: EntityPlacementPayload, success: EntityOnWire, error: AtomRpcError }),
  Rpc.make("RemoveEntityFromObjectGroup", {
    payload: { entityId: EntityId },
    success: EntityOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("OwnedEntities", {
    payload: { ownerId: EntityId },
    success: Schema.Array(EntityOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("AddOwnership", { payload: AddOwnershipPayload, success: OwnershipOnWire, error: AtomRpcError }),
  Rpc.make("RemoveOwnership", { payload: OwnershipPayload, success: Schema.Boolean, error: AtomRpcError }),
) {}
