/**
 * Generates the scale dataset: `tsx bench/dataset/cli.ts --scale 1 [--seed 1] [--database atom_bench_scale]`.
 *
 * With DATABASE_URL (or --database-url) it writes into a fresh database of that Postgres server (dropped and
 * re-created), else into a PGlite folder (--data-dir, default .atom/bench-scale). Migrations run first, then the
 * generator's transaction; prints the sizes, per-statement timings and row counts.
 */
import { parseArgs } from "node:util"
import { Effect, Layer } from "effect"
import { countRows, type DatasetTarget, databaseLayer, migrate, recreateDatabase } from "./database.js"
import { type DatasetReport, generateDataset } from "./generate.js"
import { ANALYZE_TABLES } from "./statements.js"

export interface GenerateInto {
  readonly scale: number
  readonly seed: number
  /** a Postgres server URL (its database is replaced by `database`), or a PGlite folder */
  readonly target: { readonly serverUrl: string; readonly database: string } | { readonly dataDir: string }
  readonly log: (line: string) => void
}

/** Makes the database, migrates it, generates the dataset; returns where it is and what was written. */
export const generateInto = async (
  options: GenerateInto,
): Promise<{ target: DatasetTarget; report: DatasetReport; counts: Record<string, number> }> => {
  const target: DatasetTarget =
    "serverUrl" in options.target
      ? {
          kind: "postgres",
          url: await Effect.runPromise(recreateDatabase(options.target.serverUrl, options.target.database)),
        }
      : { kind: "pglite", dataDir: options.target.dataDir }
  const program = Effect.gen(function* () {
    yield* migrate
    const report = yield* generateDataset({ seed: options.seed, scale: options.scale })
    const counts = yield* countRows(ANALYZE_TABLES)
    return { target, report, counts }
  })
  return Effect.runPromise(Effect.provide(program, Layer.orDie(databaseLayer(target))))
}

const main = async () => {
  const { values } = parseArgs({
    options: {
      scale: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      database: { type: "string", default: "atom_bench_scale" },
      "database-url": { type: "string" },
      "data-dir": { type: "string", default: ".atom/bench-scale" },
    },
  })
  const serverUrl = values["database-url"] ?? process.env.DATABASE_URL
  const started = performance.now()
  const { target, report, counts } = await generateInto({
    scale: Number(values.scale),
    seed: Number(values.seed),
    target: serverUrl ? { serverUrl, database: values.database } : { dataDir: values["data-dir"] },
    log: (line) => process.stderr.write(`${line}\n`),
  })
  const where = target.kind === "postgres" ? new URL(target.url).pathname.slice(1) : target.dataDir
  process.stdout.write(
    `dataset seed ${report.seed} scale ${report.sizes.scale} → ${target.kind} ${where}\n` +
      `transaction ${(report.totalMs / 1000).toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
      report.timings.map((t) => `  ${t.label.padEnd(38)} ${String(t.ms).padStart(7)} ms`).join("\n") +
      "\n" +
      Object.entries(counts)
        .map(([k, v]) => `  ${k.padEnd(38)} ${String(v).padStart(9)} rows`)
        .join("\n") +
      "\n",
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main()
  process.exit(0)
}
