import { Schema } from "effect"
import { JsonObject } from "../authz/JsonObject.js"

/** How one call of a custom endpoint ended: refused before running (denied), failed, or answered. */
export const ExecutionStatus = Schema.Literal("success", "error", "denied")
export type ExecutionStatus = typeof ExecutionStatus.Type

/** One call of a custom endpoint, with secrets redacted from both summaries (identity-certs §5). */
export const ApiEndpointExecution = Schema.Struct({
  id: Schema.UUID,
  /** null when no endpoint matched the request */
  endpointId: Schema.NullOr(Schema.UUID),
  callerEntityId: Schema.NullOr(Schema.UUID),
  status: ExecutionStatus,
  /** `{method, path, variablesOrBody}` */
  requestSummary: JsonObject,
  responseSummary: Schema.Unknown,
  error: Schema.NullOr(Schema.String),
  createdAt: Schema.DateFromSelf,
})
export type ApiEndpointExecution = typeof ApiEndpointExecution.Type
