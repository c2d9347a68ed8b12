import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** The repository's `migrations/` folder of plain `NNNN_name.sql` files. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../../migrations", import.meta.url))

export const MIGRATIONS_TABLE = "atom_schema_migrations"

/** Any constant works; it only has to be the same in every replica. */
const MIGRATION_LOCK_KEY = 7_306_853_925_041_201

/** @effect/sql's file loader only sees .ts/.js; this one reads the .sql files in order. */
export const sqlFileLoader = (dir: string): Migrator.Loader =>
  Effect.tryPromise({
    try: async () => {
      const files = await readdir(dir)
      return files.flatMap((file): ReadonlyArray<Migrator.ResolvedMigration> => {
        const m = /^(\d+)_([\w-]+)\.sql$/.exec(file)
        if (!m?.[1] || !m[2]) return []
        const load = Effect.tryPromise(() => readFile(join(dir, file), "utf8")).pipe(
          Effect.map((text) => Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text))),
          Effect.orDie,
        )
        return [[Number(m[1]), m[2], load]]
      })
    },
    catch: (cause) =>
      new Migrator.MigrationError({
        reason: "failed",
        message: `cannot read migrations from ${dir}: ${String(cause)}`,
      }),
  }).pipe(Effect.map((ms) => [...ms].sort(([a], [b]) => a - b)))

/**
 * Applies pending migrations in one transaction under an advisory lock, so replicas that
 * start together take turns and the later ones find nothing to do.
 */
export const runMigrations = (
  dir: string = MIGRATIONS_DIR,
): Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const migrate = Migrator.make({})({ loader: sqlFileLoader(dir), table: MIGRATIONS_TABLE })
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`
        // the migrator probes for its table with a failing ::regclass cast, which would abort our
        // transaction; creating it first (same shape) keeps the probe from failing
        yield* sql`CREATE TABLE IF NOT EXISTS ${sql(MIGRATIONS_TABLE)} (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`
        return yield* migrate
      }),
    )
  }).pipe(Effect.withSpan("Db.migrate"))

/** How many migrations this database has applied (0 before the first run). */
export const appliedMigrationCount: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly n: number }>`
    SELECT CASE WHEN to_regclass(${MIGRATIONS_TABLE}) IS NULL THEN 0
      ELSE (SELECT count(*)::int FROM atom_schema_migrations) END AS n`
  return rows[0]?.n ?? 0
})
