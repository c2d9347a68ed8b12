import { Schema } from "effect"

// One error per meaning; transports map each to its HTTP status, GraphQL message and gRPC code
// through one table (transports/src/errors). `message` is the contract's exact wire text.

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { message: Schema.String }) {}

export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", { message: Schema.String }) {}

export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String,
}) {}

/** Always `forbidden` on the wire, whatever the reason kept for logs. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  reason: Schema.optional(Schema.String),
}) {
  override get message(): string {
    return "forbidden"
  }
}

export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", { message: Schema.String }) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  message: Schema.String,
}) {}

export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  message: Schema.String,
  retryAfterSecs: Schema.Number,
}) {}

/** The database could not be reached: the caller should retry, never act on a guess. */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", { message: Schema.String }) {}

/** A statement the database rejected for a reason that is not the caller's. */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {}) {
  override get message(): string {
    return "database error"
  }
}

export class Internal extends Schema.TaggedError<Internal>()("Internal", {}) {
  override get message(): string {
    return "internal error"
  }
}

export type AtomError =
  | NotFound
  | InvalidInput
  | Unauthenticated
  | Forbidden
  | Conflict
  | PayloadTooLarge
  | RateLimited
  | Unavailable
  | DatabaseError
  | Internal
