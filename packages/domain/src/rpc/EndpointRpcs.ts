import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, TenantId } from "../authz/ids.js"
import { ApiEndpoint } from "../endpoints/ApiEndpoint.js"
import { ApiEndpointExecution } from "../endpoints/ApiEndpointExecution.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** A custom endpoint of the API Endpoint Builder with its instants as RFC 3339 strings on the wire. */
export const ApiEndpointOnWire = Schema.Struct({
  ...ApiEndpoint.fields,
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const ApiEndpointExecutionOnWire = Schema.Struct({ ...ApiEndpointExecution.fields, createdAt: Schema.Date })

export const ListApiEndpointsPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  status: Optional(Schema.String),
  ...PageFields,
})

export const ListApiEndpointExecutionsPayload = Schema.Struct({ endpointId: Schema.UUID, ...PageFields })

/** The mappings and request schema: JSON objects, checked by the service (absent = `{}` on create). */
const MappingFields = {
  variablesMapping: Schema.optional(Schema.Unknown),
  requestSchema: Schema.optional(Schema.Unknown),
  responseMapping: Schema.optional(Schema.Unknown),
}

/**
 * The contract's `CreateApiEndpointInput`: method, operation kind, auth mode and status are checked by the
 * service with the contract's messages, the GraphQL text against the served schema.
 */
export const CreateApiEndpointPayload = Schema.Struct({
  tenantId: Optional(TenantId),
  key: Schema.String,
  name: Schema.String,
  description: Optional(Schema.String),
  method: Schema.String,
  path: Schema.String,
  operationKind: Schema.String,
  graphql: Schema.String,
  authMode: Optional(Schema.String),
  serviceEntityId: Optional(EntityId),
  ...MappingFields,
  status: Optional(Schema.String),
})

/** Patch semantics: an absent or null field keeps its value. */
export const UpdateApiEndpointPayload = Schema.Struct({
  id: Schema.UUID,
  key: Optional(Schema.String),
  name: Optional(Schema.String),
  description: Optional(Schema.String),
  method: Optional(Schema.String),
  path: Optional(Schema.String),
  operationKind: Optional(Schema.String),
  graphql: Optional(Schema.String),
  authMode: Optional(Schema.String),
  serviceEntityId: Optional(EntityId),
  ...MappingFields,
  status: Optional(Schema.String),
})

/** Custom endpoints (`/api/custom/…`) of the API Endpoint Builder and their executions (identity-certs §5). */
export class EndpointRpcs extends RpcGroup.make(
  Rpc.make("ListApiEndpoints", {
    payload: ListApiEndpointsPayload,
    success: PageOf(ApiEndpointOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("GetApiEndpoint", { payload: { id: Schema.UUID }, success: ApiEndpointOnWire, error: AtomRpcError }),
  Rpc.make("ListApiEndpointExecutions", {
    payload: ListApiEndpointExecutionsPayload,
    success: PageOf(ApiEndpointExecutionOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("CreateApiEndpoint", { payload: CreateApiEndpointPayload, success: ApiEndpointOnWire, error: AtomRpcError }),
  Rpc.make("UpdateApiEndpoint", { payload: UpdateApiEndpointPayload, success: ApiEndpointOnWire, error: AtomRpcError }),
  Rpc.make("EnableApiEndpoint", { payload: { id: Schema.UUID }, success: ApiEndpointOnWire, error: AtomRpcError }),
  Rpc.make("DisableApiEndpoint", { payload: { id: Schema.UUID }, success: ApiEndpointOnWire, error: AtomRpcError }),
) {}
