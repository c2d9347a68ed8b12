import type { ChainAnchor, RetentionRun } from "@atom/domain/audit"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

const RunRow = Schema.Struct({
  id: Schema.String,
  startedAt: Schema.DateFromSelf,
  finishedAt: Schema.NullOr(Schema.DateFromSelf),
  cutoff: Schema.DateFromSelf,
  retentionDays: Schema.Number,
  batchSize: Schema.Number,
  deletedRows: Schema.NumberFromString,
  status: Schema.Literal("running", "ok", "error"),
  error: Schema.NullOr(Schema.String),
})

const RUN_COLUMNS = `id, started_at, finished_at, cutoff, retention_days, batch_size, deleted_rows::text AS deleted_rows,
  status, error`

/** Read as text: the result-name transform would rewrite the (uuid) keys of the jsonb object. */
const AnchorsRow = Schema.Struct({
  anchors: Schema.parseJson(
    Schema.Record({ key: Schema.String, value: Schema.Struct({ seq: Schema.Number, hash: Schema.String }) }),
  ),
})

const toRun = (row: typeof RunRow.Type): RetentionRun => row

/** Advisory lock of retention batches, beside the key-ring (…202), migration (…201) and CRL (…214) locks. */
const RETENTION_LOCK_KEY = 7_306_853_925_041_203
const Locked = Schema.Struct({ locked: Schema.Boolean })

/** audit_retention_runs: one row per cleanup pass, with the anchors where shortened chains now start. */
export class AuditRetentionRuns extends Effect.Service<AuditRetentionRuns>()("atom/AuditRetentionRuns", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const runs = decodeRows(RunRow)
    const columns = sql.unsafe(RUN_COLUMNS)
    return {
      start: (run: { readonly cutoff: Date; readonly retentionDays: number; readonly batchSize: number }) =>
        runs(
          sql`INSERT INTO audit_retention_runs (cutoff, retention_days, batch_size)
              VALUES (${run.cutoff}, ${run.retentionDays}, ${run.batchSize}) RETURNING ${columns}`,
        ).pipe(
          Effect.flatMap((r) => Effect.orDie(Effect.fromNullable(r[0]))),
          Effect.map(toRun),
        ),

      /** Takes the retention lock for the rest of the transaction; false (without waiting) when another replica holds it. */
      tryLock: decodeRows(Locked)(sql`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) AS locked`).pipe(
        Effect.map((r) => r[0]?.locked === true),
      ),

      /** Adds a batch's deletions and the newest deleted link of each chain it touched. */
      recordBatch: (id: string, deleted: number, anchors: ReadonlyMap<string, ChainAnchor>) =>
        execute(
          sql`UPDATE audit_retention_runs
              SET deleted_rows = deleted_rows + ${deleted},
                  chain_anchors = chain_anchors || ${JSON.stringify(Object.fromEntries(anchors))}::jsonb
              WHERE id = ${id}::uuid`,
        ),

      finish: (id: string, status: "ok" | "error", error: string | null) =>
        runs(
          sql`UPDATE audit_retention_runs SET status = ${status}, error = ${error}, finished_at = now()
              WHERE id = ${id}::uuid RETURNING ${columns}`,
        ).pipe(Effect.map((r) => (r[0] === undefined ? undefined : toRun(r[0])))),

      latestFinished: runs(
        sql`SELECT ${columns} FROM audit_retention_runs WHERE finished_at IS NOT NULL
            ORDER BY started_at DESC LIMIT 1`,
      ).pipe(Effect.map((r) => (r[0] === undefined ? undefined : toRun(r[0])))),

      /** For each chain, the anchor with the highest sequence over every run. */
      anchors: decodeRows(AnchorsRow)(
        sql`SELECT chain_anchors::text AS anchors FROM audit_retention_runs WHERE chain_anchors <> '{}'::jsonb`,
      ).pipe(
        Effect.map((rows) => {
          const out = new Map<string, ChainAnchor>()
          for (const row of rows) {
            for (const [chainId, anchor] of Object.entries(row.anchors)) {
              const seen = out.get(chainId)
              if (seen === undefined || anchor.seq > seen.seq) out.set(chainId, anchor)
            }
          }
          return out
        }),
      ),
    }
  }),
}) {}
