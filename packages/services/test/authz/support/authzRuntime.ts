import { DbLive, runMigrations } from "@atom/repositories/db"
import { type SqlClient, Statement } from "@effect/sql"
import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { loadImage } from "../../../../server/test/support/pgliteImage.js"
import { createTestDatabase, postgresUrl } from "../../../../server/test/support/testDatabase.js"
import { AuthzLive } from "../../../src/authz/index.js"

const pool = { maxConnections: 4, minConnections: 1, connectTimeoutSecs: 10, idleTimeoutSecs: 10, maxLifetimeSecs: 60 }

export type AuthzServices = Layer.Layer.Success<typeof AuthzLive> | SqlClient.SqlClient

/**
 * The authz services on a fresh database per test file: the migrated PGlite image (made once per run
 * by the global setup), or a new, migrated Postgres database when DATABASE_URL is set.
 */
export const startAuthzRuntime = async () => {
  const server = postgresUrl()
  const database = server ? await createTestDatabase(server) : undefined
  const Db = DbLive({
    databaseUrl: database ? Option.some(Redacted.make(database.url)) : Option.none(),
    dataDir: "memory://",
    pool,
    pgliteImage: database ? undefined : loadImage(),
  })
  const Migrated = Layer.effectDiscard(runMigrations()).pipe(Layer.provideMerge(Db))
  const runtime = ManagedRuntime.make(AuthzLive.pipe(Layer.provideMerge(Migrated), Layer.orDie))
  return {
    run: <A, E>(effect: Effect.Effect<A, E, AuthzServices>): Promise<A> => runtime.runPromise(effect),
    close: async () => {
      await runtime.dispose()
      await database?.drop()
    },
  }
}

export type AuthzRuntime = Awaited<ReturnType<typeof startAuthzRuntime>>

/** Runs `effect` and counts the SQL statements it executes (each one is a round trip). */
export const countingStatements = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    let statements = 0
    return effect.pipe(
      Statement.withTransformer((statement) =>
        Effect.sync(() => {
          statements++
          return statement
        }),
      ),
      Effect.map((value) => ({ value, statements })),
    )
  })
