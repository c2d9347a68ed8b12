import { AuditEventName, hotPathCategory, type PreparedAuditEvent } from "@atom/domain/audit"
import { Effect, FiberRef, LogLevel } from "effect"

/** The level of an event's log line: error, warning or info by outcome; hot-path allows at debug. */
export const auditLogLevel = (e: Pick<PreparedAuditEvent, "event" | "outcome">): LogLevel.LogLevel => {
  if (e.outcome === "error") return LogLevel.Error
  if (e.outcome === "deny") return e.event === AuditEventName.authzCheck ? LogLevel.Info : LogLevel.Warning
  return hotPathCategory(e.event) !== undefined ? LogLevel.Debug : LogLevel.Info
}

/**
 * The structured log line every audited event writes (identity-certs §4: info, warn or error by outcome).
 * Hot-path allows go to debug and check denies to info: at decision rates a line each would cost more
 * than the decision (the rows are kept by the queue). Nothing is built when the level is filtered out.
 */
export const auditLogLine = (e: PreparedAuditEvent): Effect.Effect<void> =>
  Effect.flatMap(FiberRef.get(FiberRef.currentMinimumLogLevel), (minimum) => {
    const level = auditLogLevel(e)
    if (LogLevel.lessThan(level, minimum)) return Effect.void
    return Effect.logWithLevel(level, "audit").pipe(
      Effect.annotateLogs({
        audit_event: e.event,
        outcome: e.outcome,
        actor_id: e.actorId ?? "",
        tenant_id: e.tenantId ?? "",
        target_kind: e.targetKind ?? "",
        target_id: e.targetId ?? "",
        request_id: e.requestId ?? "",
        details: JSON.stringify(e.details),
      }),
    )
  })
