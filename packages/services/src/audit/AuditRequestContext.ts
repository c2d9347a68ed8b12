import type { AuditRequestInfo } from "@atom/domain/audit"
import { Effect, FiberRef } from "effect"

/**
 * The client IP, user agent and request id of the request a fiber serves. A transport sets it once per
 * request (`withAuditRequest`); every event audited below picks it up unless the event names its own.
 */
export const currentAuditRequest: FiberRef.FiberRef<AuditRequestInfo> = FiberRef.unsafeMake<AuditRequestInfo>({})

/**
 * Runs one request's work with its facts: audit events pick them up, and the request id annotates every
 * log line and span below, so logs, audit rows and traces of one request share one id.
 */
export const withAuditRequest =
  (info: AuditRequestInfo) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const located = Effect.locally(effect, currentAuditRequest, info)
    const id = info.requestId
    if (id === undefined || id === null || id === "") return located
    return located.pipe(Effect.annotateLogs("request_id", id), Effect.annotateSpans("request_id", id))
  }
