// An @effect/sql SqlClient over an in-process PGlite database. It reuses sql-pg's statement
// compiler, so repository code (sql`…`, sql.insert, sql.in, withTransaction, the migrator)
// runs unchanged on PGlite and on Postgres.
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import { makeCompiler } from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import { Context, Effect, Layer, Scope, Stream } from "effect"
import { reportLocalChanges } from "./localChanges.js"
import { makePreparedStatements } from "./PglitePrepared.js"
import { FEED_CHANNELS, makeRevisionFeedState, RevisionFeed, type RevisionFeedState } from "./RevisionFeed.js"

/** The raw PGlite handle, for dumps and tests. */
export class Pglite extends Context.Tag("atom/Pglite")<Pglite, PGlite>() {}

export interface PgliteClientConfig {
  /** A folder, or undefined / `memory://` for an in-memory database. */
  readonly dataDir?: string | undefined
  /** A tarball made by `dumpDataDir`, to start from instead of an empty database. */
  readonly loadDataDir?: Blob | undefined
  readonly transformResultNames?: ((s: string) => string) | undefined
  readonly transformQueryNames?: ((s: string) => string) | undefined
}

/** DDL that can change the result columns of a prepared statement. */
const CHANGES_RESULT_TYPES = /\b(alter|drop|rename|replace)\b/i

const attempt = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => new SqlError({ cause, message: "Failed to execute statement" }) })

export const make = (config: PgliteClientConfig) =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          PGlite.create(config.dataDir === "memory://" ? undefined : config.dataDir, {
            // int8 as string, as node-postgres does, so row schemas decode alike on both backends
            parsers: { 20: (v: string) => v },
            ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
          }),
        catch: (cause) => new SqlError({ cause, message: "PGlite: failed to open" }),
      }),
      (db) => Effect.promise(() => db.close()),
    )
    // A new 16 MB WAL segment is not zero-filled first: in PGlite's file system that filling stopped every
    // statement for ~50 ms each time the log moved on to a new segment (every few tens of thousands of small writes), the
    // tallest stall of a login storm. Postgres does not rely on it (wal_init_zero is for file systems that
    // allocate space lazily); PGlite is one session for its life, so a session setting holds throughout.
    yield* attempt(() => db.exec("SET wal_init_zero = off"))
    const transformRows = config.transformResultNames
      ? Statement.defaultTransforms(config.transformResultNames).array
      : undefined

    // PGlite is one session: every statement takes the permit; a transaction holds it for its scope.
    const lock = yield* Effect.makeSemaphore(1)
    const prepared = makePreparedStatements(db)
    const exec = (sql: string) => {
      if (CHANGES_RESULT_TYPES.test(sql)) prepared.invalidate()
      return db.exec(sql)
    }

    const makeConnection = (locked: boolean): Connection => {
      const guard = <A>(eff: Effect.Effect<A, SqlError>) => (locked ? eff : lock.withPermits(1)(eff))
      const run = (sql: string, params: ReadonlyArray<unknown>) =>
        guard(
          params.length === 0
            ? // the simple protocol runs multi-statement scripts such as migrations
              Effect.map(
                attempt(() => exec(sql)),
                (rs) => (rs.length <= 1 ? (rs[0]?.rows ?? []) : rs.map((r) => r.rows)),
              )
            : Effect.map(
                attempt(() => prepared.run(sql, params)),
                (r) => r.rows,
              ),
        )
      const execute: Connection["execute"] = (sql, params, transform) =>
        transform ? Effect.map(run(sql, params), (rows) => transform(rows)) : run(sql, params)
      return {
        execute,
        executeRaw: (sql, params) =>
          guard(attempt(() => (params.length === 0 ? db.query(sql) : prepared.run(sql, params)))),
        executeValues: (sql, params) =>
          guard(
            Effect.map(
              attempt(() =>
                params.length === 0 ? db.query(sql, [], { rowMode: "array" }) : prepared.run(sql, params, "array"),
              ),
              // rowMode "array" parses every row as an array
              (r) => r.rows.filter((row): row is Array<unknown> => Array.isArray(row)),
            ),
          ),
        executeUnprepared: execute,
        executeStream: (sql, params, transform) =>
          Stream.fromIterableEffect(execute(sql, params, transform)).pipe(Stream.rechunk(128)),
      }
    }
    const unlocked = makeConnection(false)
    const inTransaction = makeConnection(true)

    const feed = yield* listen(db, lock)
    const client = yield* SqlClient.make({
      acquirer: Effect.succeed(unlocked),
      transactionAcquirer: Effect.gen(function* () {
        const scope = yield* Effect.scope
        yield* lock.take(1)
        yield* Scope.addFinalizer(scope, lock.release(1))
        return inTransaction
      }),
      compiler: makeCompiler(config.transformQueryNames),
      spanAttributes: [["db.system.name", "postgresql"]],
      transformRows,
    })
    return { client: reportLocalChanges(client, feed), db, feed }
  })

/**
 * Subscribes the change channels on the embedded database. PGlite is one session: LISTEN runs under
 * the statement lock, so it never lands inside (and rolls back with) someone's transaction. The
 * subscription cannot be lost, so the feed stays live until close.
 */
const listen = (db: PGlite, lock: Effect.Semaphore) =>
  Effect.gen(function* () {
    const feed = makeRevisionFeedState()
    yield* lock.withPermits(1)(
      Effect.forEach(FEED_CHANNELS, (channel) =>
        Effect.acquireRelease(
          attempt(() => db.listen(channel, (payload) => feed.notified(channel, payload))),
          () => Effect.sync(() => feed.setLive(false)),
        ),
      ),
    )
    feed.setLive(true)
    return feed satisfies RevisionFeedState
  })

export const layer = (
  config: PgliteClientConfig = {},
): Layer.Layer<SqlClient.SqlClient | Pglite | RevisionFeed, SqlError> =>
  Layer.scopedContext(
    Effect.map(make(config), ({ client, db, feed }) =>
      Context.make(SqlClient.SqlClient, client).pipe(Context.add(Pglite, db), Context.add(RevisionFeed, feed)),
    ),
  ).pipe(Layer.provide(Reactivity.layer))
