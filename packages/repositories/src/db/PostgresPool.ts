import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Effect, type Layer, Redacted, type Scope, String as Str } from "effect"
import Pg from "pg"
import { makeStatementCounts, nameFrequentStatements } from "./frequentStatements.js"

/** Column and field names: snake_case in SQL, camelCase in rows (both backends). */
export const NAME_TRANSFORMS = { transformQueryNames: Str.camelToSnake, transformResultNames: Str.snakeToCamel }

/** The pool settings of `ATOM_DB_*` (identity-certs §6), and the name Postgres shows for the pool's sessions. */
export interface PgPoolSettings {
  readonly maxConnections: number
  readonly minConnections: number
  readonly connectTimeoutSecs: number
  readonly idleTimeoutSecs: number
  readonly maxLifetimeSecs: number
  readonly applicationName: string
  /** Frequent parameterised statements run as named prepared statements (off behind a transaction-mode pooler). */
  readonly preparedStatements?: boolean | undefined
}

/** A node-postgres pool for the scope; ended (within 2 s) when the scope closes. */
export const acquirePgPool = (
  url: Redacted.Redacted<string>,
  settings: PgPoolSettings,
): Effect.Effect<Pg.Pool, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const pool = new Pg.Pool({
        connectionString: Redacted.value(url),
        max: settings.maxConnections,
        min: settings.minConnections,
        connectionTimeoutMillis: settings.connectTimeoutSecs * 1000,
        idleTimeoutMillis: settings.idleTimeoutSecs * 1000,
        maxLifetimeSeconds: settings.maxLifetimeSecs,
        application_name: settings.applicationName,
      })
      // an idle client dropped by the server must not crash the process; the pool replaces it
      pool.on("error", () => {})
      if (settings.preparedStatements === true) {
        const counts = makeStatementCounts()
        pool.on("connect", (client) => nameFrequentStatements(client, counts))
      }
      return pool
    }),
    (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(2000)),
  )

/**
 * A SqlClient on a node-postgres pool of its own, for a thread that writes apart from the main one (the
 * audit writer process). No connection is tried up front: a database that is away fails the first
 * statements (a connection failure, so `Unavailable`) and the caller retries, rather than the layer.
 */
export const postgresPoolClient = (
  url: Redacted.Redacted<string>,
  settings: PgPoolSettings,
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  PgClient.layerFromPool({
    acquire: acquirePgPool(url, settings),
    applicationName: settings.applicationName,
    ...NAME_TRANSFORMS,
  })
