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

/** Tenants: create, read, list (api.md §3.5). */
export class TenantRpcs extends RpcGroup.make(
  Rpc.make("CreateTenant", { payload: CreateTenantPayload, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("GetTenant", { payload: { id: TenantId }, success: TenantOnWire, error: AtomRpcError }),
  Rpc.make("ListTenants", { payload: ListTenantsPayload, success: PageOf(TenantOnWire), error: AtomRpcError }),
) {}
