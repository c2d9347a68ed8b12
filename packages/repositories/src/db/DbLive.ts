import { mkdir } from "node:fs/promises"
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Option, type Redacted } from "effect"
import { DbBackend } from "./DbBackend.js"
import { listenPostgres } from "./listenPostgres.js"
import { reportLocalChanges } from "./localChanges.js"
import * as PgliteClient from "./PgliteClient.js"
import { acquirePgPool, NAME_TRANSFORMS } from "./PostgresPool.js"
import { makeRevisionFeedState, RevisionFeed } from "./RevisionFeed.js"

export interface DbSettings {
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly dataDir: string
  readonly pool: {
    readonly maxConnections: number
    readonly minConnections: number
    readonly connectTimeoutSecs: number
    readonly idleTimeoutSecs: number
    readonly maxLifetimeSecs: number
    /** frequent statements as named prepared statements; off unless set */
    readonly preparedStatements?: boolean | undefined
  }
  /** A PGlite image (from dumpDataDir) to start an in-memory database from. */
  readonly pgliteImage?: Blob | undefined
}

const PING_TIMEOUT = Duration.seconds(2)

const pingWith = (run: Effect.Effect<unknown, SqlError>) =>
  run.pipe(
    Effect.asVoid,
    Effect.timeoutFail({
      duration: PING_TIMEOUT,
      onTimeout: () => new SqlError({ cause: new Error("ping timed out"), message: "Connection timed out" }),
    }),
  )

/** Postgres through a node-postgres pool we own, so health can read its size and idle count. */
const postgres = (url: Redacted.Redacted<string>, pool: DbSettings["pool"]) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const pgPool = yield* acquirePgPool(url, { ...pool, applicationName: "atom" })
      // the first connection proves the URL and credentials before anything else starts
      yield* Effect.tryPromise({
        try: () => pgPool.query("SELECT 1"),
        catch: (cause) => new SqlError({ cause, message: "cannot connect to DATABASE_URL" }),
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.seconds(pool.connectTimeoutSecs),
          onTimeout: () => new SqlError({ cause: new Error("timed out"), message: "cannot connect to DATABASE_URL" }),
        }),
      )
      const backend = Layer.succeed(DbBackend, {
        kind: "postgres",
        ping: pingWith(
          Effect.tryPromise({
            try: () => pgPool.query("SELECT 1"),
            catch: (cause) => new SqlError({ cause, message: "database unreachable" }),
          }),
        ),
        poolStats: () => ({ size: pgPool.totalCount, idle: pgPool.idleCount }),
      })
      // caches hear of commits on any replica through LISTEN on a connection of its own
      const feed = makeRevisionFeedState()
      yield* listenPostgres(url, feed, pool.connectTimeoutSecs * 1000)
      const client = Layer.effect(
        SqlClient.SqlClient,
        Effect.map(SqlClient.SqlClient, (sql) => reportLocalChanges(sql, feed)),
      ).pipe(
        Layer.provide(
          PgClient.layerFromPool({ acquire: Effect.succeed(pgPool), applicationName: "atom", ...NAME_TRANSFORMS }),
        ),
      )
      return Layer.mergeAll(client, backend, Layer.succeed(RevisionFeed, feed))
    }),
  )

const pglite = (dataDir: string, image: Blob | undefined) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const inMemory = dataDir === "memory://"
      if (!inMemory) {
        yield* Effect.tryPromise({
          try: () => mkdir(dataDir, { recursive: true }),
          catch: (cause) => new SqlError({ cause, message: `cannot create ATOM_DATA_DIR ${dataDir}` }),
        })
      }
      const client = PgliteClient.layer({
        dataDir: inMemory ? undefined : dataDir,
        loadDataDir: image,
        ...NAME_TRANSFORMS,
      })
      const backend = Layer.effect(
        DbBackend,
        Effect.map(PgliteClient.Pglite, (db) => ({
          kind: "pglite" as const,
          ping: pingWith(
            Effect.tryPromise({
              try: () => db.query("SELECT 1"),
              catch: (cause) => new SqlError({ cause, message: "database unreachable" }),
            }),
          ),
          poolStats: () => ({ size: 1, idle: 1 }),
        })),
      )
      return Layer.provideMerge(backend, client)
    }),
  )

/** Postgres when DATABASE_URL is set, else embedded PGlite in the data folder (or in memory). */
export const DbLive = (settings: DbSettings): Layer.Layer<SqlClient.SqlClient | DbBackend | RevisionFeed, SqlError> =>
  Option.match(settings.databaseUrl, {
    onSome: (url) => postgres(url, settings.pool),
    onNone: () => pglite(settings.dataDir, settings.pgliteImage),
  }).pipe(Layer.provide(Reactivity.layer))
