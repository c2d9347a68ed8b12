import type { PreparedAuditEvent } from "@atom/domain/audit"
import { Certificates, type NewCertificate } from "@atom/repositories/certificates"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Deferred, Effect, Exit, Queue } from "effect"
import { AuditChains } from "../audit/AuditChains.js"
import { withInstruments } from "../metrics/AtomMetrics.js"

/** One signed leaf waiting to be stored with its audit record. */
interface Pending {
  readonly row: NewCertificate
  readonly event: PreparedAuditEvent
  /** The creation time, or undefined when the serial was taken (nothing of this leaf was written). */
  readonly done: Deferred.Deferred<Date | undefined, DbFailure>
}

/** The most leaves one transaction stores. */
const MAX_BATCH = 64

/**
 * Stores issued leaves with group commit: the leaves that wait while one transaction runs are stored
 * together in the next — one multi-row INSERT of the credentials, then one append of their audit records
 * (lock, head, one INSERT) — so each leaf is committed with its own audit record, in the same transaction,
 * while the database sees a handful of statements per batch rather than per certificate.
 *
 * A batch that fails is retried one leaf per transaction, so one bad leaf (say, an entity deleted in the
 * meantime) fails only its own request. A leaf whose serial is taken is answered undefined, and no audit
 * record is written for it: the caller signs again with a fresh serial.
 */
export class IssuanceWriter extends Effect.Service<IssuanceWriter>()("atom/IssuanceWriter", {
  scoped: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const certificates = yield* Certificates
    const chains = yield* AuditChains
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Pending>(), Queue.shutdown)

    const writeBatch = (batch: ReadonlyArray<Pending>): Effect.Effect<ReadonlyMap<string, Date>, DbFailure> =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const created = yield* certificates.insertMany(batch.map((p) => p.row))
            const byId = new Map(created.map((row) => [row.id, row.createdAt]))
            const events = batch.flatMap((p) => (byId.has(p.row.id) ? [p.event] : []))
            yield* chains.append(events).pipe(
              Effect.tapBoth({
                onFailure: () => withInstruments((m) => m.auditWriteFailures.inc({})),
                onSuccess: () => withInstruments((m) => m.auditWritten.inc({}, events.length)),
              }),
            )
            return byId
          }),
        )
        .pipe(
          Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)),
          Effect.withSpan("IssuanceWriter.writeBatch", { attributes: { leaves: batch.length } }),
        )

    const settle = (batch: ReadonlyArray<Pending>, exit: Exit.Exit<ReadonlyMap<string, Date>, DbFailure>) =>
      Effect.forEach(
        batch,
        (p) =>
          Deferred.done(
            p.done,
            Exit.map(exit, (byId) => byId.get(p.row.id)),
          ),
        { discard: true },
      )

    const writeOne = (p: Pending) => Effect.flatMap(Effect.exit(writeBatch([p])), (exit) => settle([p], exit))

    const drain = Effect.gen(function* () {
      const first = yield* Queue.take(queue)
      const rest = yield* Queue.takeUpTo(queue, MAX_BATCH - 1)
      const batch = [first, ...rest]
      const exit = yield* Effect.exit(writeBatch(batch))
      if (Exit.isSuccess(exit) || batch.length === 1) return yield* settle(batch, exit)
      yield* Effect.logWarning("certificate batch failed; storing its leaves one by one").pipe(
        Effect.annotateLogs({ leaves: batch.length }),
      )
      yield* Effect.forEach(batch, writeOne, { discard: true })
    })

    yield* Effect.forkScoped(Effect.forever(drain))

    /** Stores one leaf and its audit record; resolves once their transaction committed. */
    const store = (row: NewCertificate, event: PreparedAuditEvent): Effect.Effect<Date | undefined, DbFailure> =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<Date | undefined, DbFailure>()
        yield* Queue.offer(queue, { row, event, done })
        return yield* Deferred.await(done)
      })

    /** Leaves waiting for the next transaction (not those being written). */
    const pending: Effect.Effect<number> = Queue.size(queue)

    return { store, pending } as const
  }),
}) {}
