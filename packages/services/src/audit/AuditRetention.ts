import { AuditEventName, type ChainAnchor, type RetentionRun } from "@atom/domain/audit"
import { AtomConfig } from "@atom/domain/config"
import { AuditLogs, AuditRetentionRuns, type DeletedLinkRow } from "@atom/repositories/audit"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, Context, Duration, Effect, Layer, Ref, Schedule } from "effect"
import { AuditLog } from "./AuditLog.js"

/** A pass as health's `last_cleanup` shows it: the reference's event fields, plus when and how it ended. */
export const retentionRunJson = (run: RetentionRun) => ({
  deleted_rows: run.deletedRows,
  cutoff: run.cutoff.toISOString(),
  retention_days: run.retentionDays,
  batch_size: run.batchSize,
  started_at: run.startedAt.toISOString(),
  finished_at: run.finishedAt === null ? null : run.finishedAt.toISOString(),
  status: run.status,
  ...(run.error === null ? {} : { error: run.error }),
})

/** The newest deleted link of each chain a batch touched. */
const anchorsOf = (deleted: ReadonlyArray<DeletedLinkRow>): Map<string, ChainAnchor> => {
  const anchors = new Map<string, ChainAnchor>()
  for (const row of deleted) {
    const seen = anchors.get(row.chainId)
    if (seen === undefined || row.chainSeq > seen.seq) anchors.set(row.chainId, { seq: row.chainSeq, hash: row.hash })
  }
  return anchors
}

/**
 * Audit retention (identity-certs §4): deletes rows older than ATOM_AUDIT_RETENTION_DAYS, oldest first, in
 * batches of ATOM_AUDIT_CLEANUP_BATCH_SIZE until a batch comes back short, at startup and then every
 * ATOM_AUDIT_CLEANUP_INTERVAL_SECS (a background fiber of this scoped layer). Each batch deletes a prefix of
 * each chain and records, in the same transaction, where each chain now starts (the run's chain_anchors),
 * so verification still holds. A run that deleted rows writes `audit.retention_cleanup` in the
 * transaction that closes it. Unlike the reference (its defect 16), each batch first takes a cross-replica
 * advisory lock without waiting: while another replica's batch holds it, this pass ends (it deletes nothing).
 */
export class AuditRetention extends Context.Tag("atom/AuditRetention")<
  AuditRetention,
  {
    /** One pass now, whatever the schedule (tests, operators). */
    readonly runOnce: Effect.Effect<RetentionRun, DbFailure>
    /** The latest finished pass, for health's `last_cleanup`. */
    readonly lastCleanup: Effect.Effect<RetentionRun | undefined>
  }
>() {
  static readonly Live = Layer.scoped(
    AuditRetention,
    Effect.gen(function* () {
      const config = yield* AtomConfig
      const sql = yield* SqlClient.SqlClient
      const logs = yield* AuditLogs
      const runs = yield* AuditRetentionRuns
      const audit = yield* AuditLog
      const { retentionDays, cleanupBatchSize, cleanupIntervalSecs, retentionEnabled } = config.audit
      const tx = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        sql.withTransaction(effect).pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))

      const last = yield* Ref.make<RetentionRun | undefined>(
        yield* runs.latestFinished.pipe(Effect.orElseSucceed(() => undefined)),
      )

      const pass = (run: RetentionRun) =>
        Effect.gen(function* () {
          let total = 0
          while (true) {
            const deleted = yield* tx(
              Effect.flatMap(runs.tryLock, (locked) =>
                locked
                  ? Effect.tap(logs.deleteOldest(run.cutoff, cleanupBatchSize), (rows) =>
                      rows.length === 0 ? Effect.void : runs.recordBatch(run.id, rows.length, anchorsOf(rows)),
                    )
                  : Effect.succeed([]),
              ),
            )
            total += deleted.length
            if (deleted.length < cleanupBatchSize) return total
          }
        })

      const runOnce = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const cutoff = new Date(now - retentionDays * 86_400_000)
        const run = yield* runs.start({ cutoff, retentionDays, batchSize: cleanupBatchSize })
        const outcome = yield* Effect.either(pass(run))
        if (outcome._tag === "Left") {
          const failed = yield* runs
            .finish(run.id, "error", outcome.left.message)
            .pipe(Effect.orElseSucceed(() => undefined))
          if (failed !== undefined) yield* Ref.set(last, failed)
          return yield* Effect.fail(outcome.left)
        }
        const deletedRows = outcome.right
        const finished = yield* tx(
          Effect.tap(runs.finish(run.id, "ok", null), () =>
            deletedRows === 0
              ? Effect.void
              : audit.recordInTx({
                  event: AuditEventName.retentionCleanup,
                  outcome: "allow",
                  targetKind: "audit_log",
                  details: {
                    deleted_rows: deletedRows,
                    cutoff: cutoff.toISOString(),
                    retention_days: retentionDays,
                    batch_size: cleanupBatchSize,
                    run_id: run.id,
                  },
                }),
          ),
        )
        const result = finished ?? run
        yield* Ref.set(last, result)
        yield* Effect.logInfo("audit retention cleanup").pipe(
          Effect.annotateLogs({ deleted_rows: deletedRows, cutoff: cutoff.toISOString() }),
        )
        return result
      }).pipe(Effect.withSpan("AuditRetention.runOnce"))

      if (retentionEnabled) {
        const scheduled = runOnce.pipe(
          Effect.catchAll((e) =>
            Effect.logError("audit retention cleanup failed").pipe(Effect.annotateLogs({ error: e.message })),
          ),
          Effect.catchAllDefect((d) => Effect.logError("audit retention cleanup crashed", d)),
          Effect.repeat(Schedule.spaced(Duration.seconds(cleanupIntervalSecs))),
        )
        yield* Effect.forkScoped(scheduled)
      }

      return { runOnce, lastCleanup: Ref.get(last) }
    }),
  )
}
