import { Effect, Layer, Option, Redacted } from "effect"
import { DbLive, queryRows, runMigrations, runStatements } from "../../packages/repositories/src/db/index.js"

/** Where a generated dataset goes: a Postgres database (made fresh when asked) or a PGlite folder. */
export type DatasetTarget =
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "pglite"; readonly dataDir: string }

export const databaseLayer = (target: DatasetTarget) =>
  DbLive({
    databaseUrl: target.kind === "postgres" ? Option.some(Redacted.make(target.url)) : Option.none(),
    dataDir: target.kind === "pglite" ? target.dataDir : "memory://",
    pool: { maxConnections: 2, minConnections: 0, connectTimeoutSecs: 10, idleTimeoutSecs: 30, maxLifetimeSecs: 3600 },
  })

/** `url` with its database name replaced. */
export const withDatabase = (url: string, database: string): string => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Drops and re-creates `database` on the server of `serverUrl`; returns the new database's URL. */
export const recreateDatabase = (serverUrl: string, database: string) => {
  if (!DATABASE_NAME.test(database)) return Effect.die(new Error(`not a plain database name: ${database}`))
  return runStatements(
    [
      { label: "drop", sql: `DROP DATABASE IF EXISTS ${database} WITH (FORCE)` },
      { label: "create", sql: `CREATE DATABASE ${database}` },
    ],
    { inTransaction: false },
  ).pipe(
    Effect.as(withDatabase(serverUrl, database)),
    Effect.provide(Layer.orDie(databaseLayer({ kind: "postgres", url: serverUrl }))),
  )
}

/** Applies Atom's migrations, as the server does at startup. */
export const migrate = runMigrations()

/** Row counts of the given tables. */
export const countRows = (tables: ReadonlyArray<string>) =>
  Effect.map(
    queryRows(tables.map((t) => `SELECT '${t}' AS name, count(*)::int AS n FROM ${t}`).join(" UNION ALL ")),
    (rows) => {
      const counts: Record<string, number> = {}
      for (const row of rows) {
        if (typeof row === "object" && row !== null && "name" in row && "n" in row) {
          if (typeof row.name === "string" && typeof row.n === "number") counts[row.name] = row.n
        }
      }
      return counts
    },
  )
