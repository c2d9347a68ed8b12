import { Schema } from "effect"
import { JsonObject } from "../authz/JsonObject.js"

/** The HTTP methods an endpoint may answer (stored uppercased). */
export const EndpointMethod = Schema.Literal("GET", "POST", "PUT", "PATCH", "DELETE")
export type EndpointMethod = typeof EndpointMethod.Type

/** Stored for the admin UI; never checked against the GraphQL text (identity-certs §5). */
export const OperationKind = Schema.Literal("query", "mutation")
export type OperationKind = typeof OperationKind.Type

/** Whose rights the stored operation runs with: the caller's, or a configured service entity's. */
export const EndpointAuthMode = Schema.Literal("caller_context", "service_context")
export type EndpointAuthMode = typeof EndpointAuthMode.Type

export const EndpointStatus = Schema.Literal("draft", "active", "disabled")
export type EndpointStatus = typeof EndpointStatus.Type

/** An admin-defined HTTP route under `/api/custom/` that runs a stored GraphQL operation (identity-certs §5). */
export const ApiEndpoint = Schema.Struct({
  id: Schema.UUID,
  /** null: a platform endpoint */
  tenantId: Schema.NullOr(Schema.UUID),
  key: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  method: EndpointMethod,
  path: Schema.String,
  operationKind: OperationKind,
  graphql: Schema.String,
  authMode: EndpointAuthMode,
  serviceEntityId: Schema.NullOr(Schema.UUID),
  variablesMapping: JsonObject,
  requestSchema: JsonObject,
  responseMapping: JsonObject,
  status: EndpointStatus,
  createdBy: Schema.NullOr(Schema.UUID),
  updatedBy: Schema.NullOr(Schema.UUID),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type ApiEndpoint = typeof ApiEndpoint.Type
