import { Effect } from "effect"
import { queryRows, runStatements, type StatementTiming } from "../../packages/repositories/src/db/index.js"
import { datasetId } from "./ids.js"
import { type DatasetSizes, datasetSizes } from "./sizes.js"
import { ANALYZE_TABLES, datasetStatements } from "./statements.js"

export interface DatasetOptions {
  readonly seed: number
  readonly scale: number
}

export interface DatasetReport {
  readonly seed: number
  readonly sizes: DatasetSizes
  readonly timings: ReadonlyArray<StatementTiming>
  /** wall time of the transaction (excluding ANALYZE) */
  readonly totalMs: number
}

export class DatasetPresent extends Error {
  constructor(readonly tenantId: string) {
    super(`the dataset of this seed is already in the database (tenant ${tenantId}); use a fresh database`)
  }
}

/**
 * Writes the generated dataset (statements.ts) into the current database in one transaction, then refreshes the
 * planner statistics. Refuses a database that already holds the same seed's rows.
 */
export const generateDataset = (options: DatasetOptions) =>
  Effect.gen(function* () {
    const sizes = datasetSizes(options.scale)
    const firstTenant = datasetId(options.seed, "t", 0)
    const present = yield* queryRows(`SELECT 1 FROM tenants WHERE id = '${firstTenant}'`)
    if (present.length > 0) return yield* Effect.fail(new DatasetPresent(firstTenant))
    const started = performance.now()
    const timings = yield* runStatements(datasetStatements(options.seed, sizes), { inTransaction: true })
    const totalMs = Math.round(performance.now() - started)
    const analyze = yield* runStatements(
      ANALYZE_TABLES.map((t) => ({ label: "analyze", sql: `ANALYZE ${t}` })),
      { inTransaction: false },
    )
    const analyzeMs = analyze.reduce((n, t) => n + t.ms, 0)
    const report: DatasetReport = {
      seed: options.seed,
      sizes,
      timings: [...timings, { label: "analyze", ms: analyzeMs }],
      totalMs,
    }
    return report
  })
