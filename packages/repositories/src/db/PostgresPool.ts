import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Effect, type Layer, Redacted, String as Str } from "effect"
import Pg from "pg"

/**
 * A SqlClient on a node-postgres pool of its own, for a thread that writes apart from the main one (the
 * audit writer thread). No connection is tried up front: a database that is away fails the first
 * statements (a connection failure, so `Unavailable`) and the caller retries, rather than the layer.
 */
export const postgresPoolClient = (
  url: Redacted.Redacted<string>,
  options: { readonly maxConnections: number; readonly applicationName: string },
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  PgClient.layerFromPool({
    acquire: Effect.acquireRelease(
      Effect.sync(() => {
        const pool = new Pg.Pool({
          connectionString: Redacted.value(url),
          max: options.maxConnections,
          application_name: options.applicationName,
        })
        // an idle client dropped by the server must not crash the thread; the pool replaces it
        pool.on("error", () => {})
        return pool
      }),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(2000)),
    ),
    applicationName: options.applicationName,
    transformQueryNames: Str.camelToSnake,
    transformResultNames: Str.snakeToCamel,
  })
