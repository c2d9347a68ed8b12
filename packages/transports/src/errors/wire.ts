import type { AtomError } from "@atom/domain/errors"
import { status as GrpcStatus } from "@grpc/grpc-js"

export interface WireError {
  readonly http: number
  readonly grpc: GrpcStatus
  readonly message: string
  readonly retryAfterSecs?: number
}

const HTTP: Record<AtomError["_tag"], number> = {
  NotFound: 404,
  InvalidInput: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  Conflict: 409,
  PayloadTooLarge: 413,
  RateLimited: 429,
  Unavailable: 503,
  DatabaseError: 500,
  Internal: 500,
}

const GRPC: Record<AtomError["_tag"], GrpcStatus> = {
  NotFound: GrpcStatus.NOT_FOUND,
  InvalidInput: GrpcStatus.INVALID_ARGUMENT,
  Unauthenticated: GrpcStatus.UNAUTHENTICATED,
  Forbidden: GrpcStatus.PERMISSION_DENIED,
  Conflict: GrpcStatus.ALREADY_EXISTS,
  PayloadTooLarge: GrpcStatus.INVALID_ARGUMENT,
  RateLimited: GrpcStatus.RESOURCE_EXHAUSTED,
  Unavailable: GrpcStatus.UNAVAILABLE,
  DatabaseError: GrpcStatus.INTERNAL,
  Internal: GrpcStatus.INTERNAL,
}

/** The one table from a typed error to what each transport sends (api.md §1.1, §2.6). */
export const toWire = (error: AtomError): WireError => ({
  http: HTTP[error._tag],
  grpc: GRPC[error._tag],
  message: error.message,
  ...(error._tag === "RateLimited" ? { retryAfterSecs: Math.max(1, Math.ceil(error.retryAfterSecs)) } : {}),
})

export const INTERNAL: WireError = { http: 500, grpc: GrpcStatus.INTERNAL, message: "internal error" }
