import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TenantId } from "../authz/ids.js"
import { TenantStatus } from "../authz/TenantStatus.js"
import { DeletedFilter } from "../tenants/DeletedFilter.js"
import { Tenant } from "../tenants/Tenant.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** `Tenant` with its instants as RFC 3339 strings on the wire. */
export const TenantOnWire = Schema.Struct({
  ...Tenant.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const CreateTenantPayload = Schema.Struct({
  id: Optional(TenantId),
  name: Schema.String,
  alias: Optional(Schema.String),
  tags: Optional(Schema.Array(Schema.String)),
  attributes: Schema.optional(Schema.Unknown),
})

export const ListTenantsPayload = Schema.Struct({
  q: Optional(Schema.String),
  name: Optional(Schema.String),
  alias: Optional(Schema.String),
  status: Optional(TenantStatus),
  deleted: Optional(DeletedFilter),
  ...PageFields,
})

/** Patch semantics: absent keeps a field, `alias: null` clears the alias, null elsewhere keeps. */
export const UpdateTenantPayload = Schema.Struct({
  id: TenantId,
  name: Optional(Schema.String),
  alias: Optional(Schema.String),
  tags: Optional(Schema.Array(Schema.String)),
  attributes: Schema.optional(Schema.Unknown),
})

/** Tenants: create, read, list, update and the lifecycle (delete, restore, purge, enable, disable, freeze). */
export class TenantRpcs extends RpcGroup.make(
  Rpc.make("CreateTenant", { payload: CreateTenantPayload, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("GetTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("ListTenants", { payload: ListTenantsPayload, success: PageOf(TenantOnWire), error: AtomRpcError }),
  Rpc.make("UpdateTenant", { payload: UpdateTenantPayload, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("DeleteTenant", { payload: { id: TenantId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RestoreTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("PurgeTenant", { payload: { id: TenantId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("EnableTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("DisableTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("FreezeTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
) {}
