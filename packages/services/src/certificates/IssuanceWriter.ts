import type { PreparedAuditEvent } from "@atom/domain/audit"
import { Certificates, type NewCertificate } from "@atom/repositories/certificates"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Deferred, Duration, Effect, Exit, FiberRef, Option, Queue } from "effect"
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
 * How long a batch may wait for leaves still being signed, by default. A transaction costs the embedded
 * database several statements whatever it carries, so a few milliseconds spent gathering the leaves already
 * on their way save far more than they cost; the bound keeps a slow or failed signing from holding others.
 */
export const DEFAULT_GATHER_MS = 50

export interface IssuanceWriterOptions {
  /** How long a batch may wait for the leaves announced by `expecting` (DEFAULT_GATHER_MS). */
  readonly gatherMs?: number
}

/** A leaf announced by `expecting`: open until its `store` is queued or the announcing effect ends. */
interface Ticket {
  open: boolean
}

const currentTicket = FiberRef.unsafeMake<Ticket | undefined>(undefined)

/**
 * Stores issued leaves with group commit: the leaves that wait while one transaction runs are stored
 * together in the next — one multi-row INSERT of the credentials, then one append of their audit records
 * (lock, head, one INSERT) — so each leaf is committed with its own audit record, in the same transaction,
 * while the database sees a handful of statements per batch rather than per certificate. A batch also
 * waits briefly for the leaves announced by `expecting` that are still being signed.
 *
 * A batch that fails is retried one leaf per transaction, so one bad leaf (say, an entity deleted in the
 * meantime) fails only its own request. A leaf whose serial is taken is answered undefined, and no audit
 * record is written for it: the caller signs again with a fresh serial.
 */
export class IssuanceWriter extends Effect.Service<IssuanceWriter>()("atom/IssuanceWriter", {
  scoped: (options: IssuanceWriterOptions = {}) =>
    Effect.gen(function* () {
      const gatherMs = options.gatherMs ?? DEFAULT_GATHER_MS
      const sql = yield* SqlClient.SqlClient
      const certificates = yield* Certificates
      const chains = yield* AuditChains
      const queue = yield* Effect.acquireRelease(Queue.unbounded<Pending>(), Queue.shutdown)
      /** Leaves announced by `expecting` and not yet queued. */
      let expected = 0
      const close = (ticket: Ticket | undefined) => {
        if (ticket?.open === true) {
          ticket.open = false
          expected--
        }
      }

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
            Effect.withSpan("IssuanceWriter.writeBatch", {
              attributes: { leaves: batch.length },
              captureStackTrace: false,
            }),
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

      /** Adds to `batch` the leaves announced and on their way, for at most `gatherMs`. */
      const gather = (batch: Array<Pending>) =>
        Effect.gen(function* () {
          const deadline = Date.now() + gatherMs
          while (expected > 0 && batch.length < MAX_BATCH) {
            const left = deadline - Date.now()
            if (left <= 0) return
            const next = yield* Effect.timeoutTo(Queue.take(queue), {
              duration: Duration.millis(left),
              onSuccess: Option.some,
              onTimeout: Option.none,
            })
            if (Option.isNone(next)) return
            batch.push(next.value, ...(yield* Queue.takeUpTo(queue, MAX_BATCH - 1 - batch.length)))
          }
        })

      const drain = Effect.gen(function* () {
        const first = yield* Queue.take(queue)
        const batch = [first, ...(yield* Queue.takeUpTo(queue, MAX_BATCH - 1))]
        yield* gather(batch)
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
          close(yield* FiberRef.get(currentTicket))
          yield* Queue.offer(queue, { row, event, done })
          return yield* Deferred.await(done)
        })

      /**
       * Runs an issuance that will `store` one leaf (after signing it): until it does, or ends without, the
       * batch being gathered waits for it (`gatherMs` at most), so leaves signed together commit together.
       */
      const expecting = <A, E, R>(issuance: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        Effect.suspend(() => {
          const ticket: Ticket = { open: true }
          expected++
          return issuance.pipe(Effect.locally(currentTicket, ticket), Effect.ensuring(Effect.sync(() => close(ticket))))
        })

      /** Leaves waiting for the next transaction (not those being written); negative while the writer waits. */
      const pending: Effect.Effect<number> = Queue.size(queue)

      /** Issuances announced by `expecting` that have not queued their leaf yet. */
      const announced: Effect.Effect<number> = Effect.sync(() => expected)

      return { store, expecting, pending, announced } as const
    }),
}) {}
