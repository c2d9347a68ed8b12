import type { AuditRequestInfo } from "@atom/domain/audit"
import { Effect, FiberRef } from "effect"

/**
 * The client IP, user agent and request id of the request a fiber serves. A transport sets it once per
 * request (`withAuditRequest`); every event audited below picks it up unless the event names its own.
 */
export const currentAuditRequest: FiberRef.FiberRef<AuditRequestInfo> = FiberRef.unsafeMake<AuditRequestInfo>({})

export const withAuditRequest =
  (info: AuditRequestInfo) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locally(effect, currentAuditRequest, info)
