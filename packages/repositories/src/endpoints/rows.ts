import { JsonObject } from "@atom/domain/authz"
import { ApiEndpoint, ApiEndpointExecution } from "@atom/domain/endpoints"
import { Schema } from "effect"

// jsonb columns are selected as `::text` and parsed here: the client's camelCase result transform would
// otherwise rename the keys inside mappings and schemas.
const JsonObjectText = Schema.parseJson(JsonObject)

export const ApiEndpointRow = Schema.Struct({
  ...ApiEndpoint.fields,
  variablesMapping: JsonObjectText,
  requestSchema: JsonObjectText,
  responseMapping: JsonObjectText,
})

export const ENDPOINT_COLUMNS = `e.id, e.tenant_id, e.key, e.name, e.description, e.method, e.path, e.operation_kind,
  e.graphql, e.auth_mode, e.service_entity_id, e.variables_mapping::text AS variables_mapping,
  e.request_schema::text AS request_schema, e.response_mapping::text AS response_mapping, e.status,
  e.created_by, e.updated_by, e.created_at, e.updated_at`

export const ExecutionRow = Schema.Struct({
  ...ApiEndpointExecution.fields,
  requestSummary: JsonObjectText,
  responseSummary: Schema.parseJson(Schema.Unknown),
})

export const EXECUTION_COLUMNS = `x.id, x.endpoint_id, x.caller_entity_id, x.status,
  x.request_summary::text AS request_summary, x.response_summary::text AS response_summary, x.error, x.created_at`

export const CountRow = Schema.Struct({ total: Schema.Number })
