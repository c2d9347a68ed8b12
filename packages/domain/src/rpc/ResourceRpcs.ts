import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"
import { Resource } from "../resources/Resource.js"
import { DeletedFilter } from "../tenants/DeletedFilter.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** `Resource` with its instants as RFC 3339 strings on the wire. */
export const ResourceOnWire = Schema.Struct({
  ...Resource.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const CreateResourcePayload = Schema.Struct({
  id: Optional(Schema.UUID),
  kind: Schema.String,
  name: Optional(Schema.String),
  alias: Optional(Schema.String),
  tenantId: Optional(TenantId),
  ownerId: Optional(EntityId),
  attributes: Optional(JsonObject),
})

export const ListResourcesPayload = Schema.Struct({
  q: Optional(Schema.String),
  kind: Optional(Schema.String),
  tenantId: Optional(TenantId),
  attributesContains: Optional(JsonObject),
  parentGroupId: Optional(GroupId),
  includeDescendants: Optional(Schema.Boolean),
  deleted: Optional(DeletedFilter),
  ...PageFields,
})

/** Patch semantics: an absent or null field keeps its value, except `alias`, which null clears. */
export const UpdateResourcePayload = Schema.Struct({
  id: Schema.UUID,
  name: Optional(Schema.String),
  alias: Optional(Schema.String),
  attributes: Optional(JsonObject),
})

/** Placement of a resource in an object group (`addResourceToObjectGroup` / `setResourceParentGroup`). */
export const ResourcePlacementPayload = Schema.Struct({ resourceId: Schema.UUID, objectGroupId: GroupId })

/**
 * Resources: create, read, list, update, delete; restore and purge of a tombstoned one, placement in an
 * object group, the kinds in use (api.md §3.5).
 */
export class ResourceRpcs extends RpcGroup.make(
  Rpc.make("CreateResource", { payload: CreateResourcePayload, success: ResourceOnWire, error: AtomRpcError }),
  Rpc.make("GetResource", { payload: { id: Schema.UUID }, success: ResourceOnWire, error: AtomRpcError }),
  Rpc.make("ListResources", { payload: ListResourcesPayload, success: PageOf(ResourceOnWire), error: AtomRpcError }),
  Rpc.make("UpdateResource", { payload: UpdateResourcePayload, success: ResourceOnWire, error: AtomRpcError }),
  Rpc.make("DeleteResource", { payload: { id: Schema.UUID }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RestoreResource", { payload: { id: Schema.UUID }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("PurgeResource", { payload: { id: Schema.UUID }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("AddResourceToObjectGroup", {
    payload: ResourcePlacementPayload,
    success: ResourceOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RemoveResourceFromObjectGroup", {
    payload: { resourceId: Schema.UUID },
    success: ResourceOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("ResourceKinds", {
    payload: { tenantId: Optional(TenantId) },
    success: Schema.Array(Schema.String),
    error: AtomRpcError,
  }),
) {}
