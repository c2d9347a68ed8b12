import type { AuditEvent } from "@atom/domain/audit"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, Context, Effect, FiberRef, Layer } from "effect"
import { withInstruments } from "../metrics/AtomMetrics.js"
import { AuditChains } from "./AuditChains.js"
import { currentAuditRequest } from "./AuditRequestContext.js"
import { auditLogLine } from "./auditLogLine.js"
import { prepareEvent } from "./prepareEvent.js"

/**
 * The in-transaction write path, for change events: the row is written with the caller's SqlClient in
 * the caller's transaction, so a committed change always has its record and a rolled-back one has none.
 * A failed write fails the caller (and so rolls the change back).
 */
export class AuditLog extends Context.Tag("atom/AuditLog")<
  AuditLog,
  {
    readonly recordInTx: (event: AuditEvent) => Effect.Effect<void, DbFailure>
    /** Runs a change and records it in one transaction (the change's own transaction nests inside). */
    readonly transactionally: <A, E, R>(
      change: Effect.Effect<A, E, R>,
      event: (result: A) => AuditEvent,
    ) => Effect.Effect<A, E | DbFailure, R>
  }
>() {
  static readonly Live = Layer.effect(
    AuditLog,
    Effect.gen(function* () {
      const chains = yield* AuditChains
      const sql = yield* SqlClient.SqlClient

      const recordInTx = (event: AuditEvent) =>
        Effect.gen(function* () {
          const prepared = prepareEvent(event, yield* Clock.currentTimeMillis, yield* FiberRef.get(currentAuditRequest))
          yield* auditLogLine(prepared)
          yield* chains.append([prepared]).pipe(
            Effect.tapBoth({
              onFailure: () => withInstruments((m) => m.auditWriteFailures.inc({})),
              onSuccess: () => withInstruments((m) => m.auditWritten.inc({})),
            }),
          )
        }).pipe(Effect.withSpan("AuditLog.recordInTx", { attributes: { event: event.event } }))

      const transactionally = <A, E, R>(change: Effect.Effect<A, E, R>, event: (result: A) => AuditEvent) =>
        sql
          .withTransaction(Effect.tap(change, (result) => recordInTx(event(result))))
          .pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))

      return { recordInTx, transactionally }
    }),
  )
}
