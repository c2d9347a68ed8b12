import { Schema } from "effect"

/** The tags of Atom's typed errors (`@atom/domain/errors`), as the RPC wire names them. */
export const AtomErrorCode = Schema.Literal(
  "NotFound",
  "InvalidInput",
  "Unauthenticated",
  "Forbidden",
  "Conflict",
  "PayloadTooLarge",
  "RateLimited",
  "Unavailable",
  "DatabaseError",
  "Internal",
)
export type AtomErrorCode = typeof AtomErrorCode.Type

/**
 * Every RPC's failure: Atom's error as the other transports send it — `message` is the contract's
 * wire text (`forbidden`, `entity <id> not found` …), `status` the HTTP status REST would answer.
 */
export class AtomRpcError extends Schema.TaggedError<AtomRpcError>()("AtomRpcError", {
  code: AtomErrorCode,
  message: Schema.String,
  status: Schema.Int,
  retryAfterSecs: Schema.optional(Schema.Int),
}) {}
