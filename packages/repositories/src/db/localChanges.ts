import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"
import type { RevisionFeedState } from "./RevisionFeed.js"

// Which feed hears the local changes made through a client. Keyed by the client object, so several
// Atoms in one process (tests, replicas) each signal their own caches.
const feeds = new WeakMap<SqlClient.SqlClient, RevisionFeedState>()

/**
 * Makes `sql` report to `feed` when a transaction in which `announceLocalChange` ran has ended, right
 * after its COMMIT (or ROLLBACK) and before the writer goes on. Replaces `withTransaction` on the
 * client in place: every use case reaches transactions through it.
 */
export const reportLocalChanges = (sql: SqlClient.SqlClient, feed: RevisionFeedState): SqlClient.SqlClient => {
  feeds.set(sql, feed)
  const original = sql.withTransaction
  const withTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (outer) => {
      // a nested call is a savepoint: the outermost transaction reports when it ends
      if (Option.isSome(outer)) return original(effect)
      let connection: object | undefined
      const remember = Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (tx) => {
        if (Option.isSome(tx)) connection = tx.value[0]
        return effect
      })
      return original(remember).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            if (connection !== undefined) feed.transactionEnded(connection)
          }),
        ),
      )
    })
  return Object.assign(sql, { withTransaction })
}

/**
 * Tells this replica's caches that a change they may hold has been written: at once when outside a
 * transaction, else when the transaction ends. Other replicas hear of it through NOTIFY (the triggers
 * of migrations 0003 and 0009). Call it after every write that can change a decision or revoke a token.
 */
export const announceLocalChange: Effect.Effect<void, never, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    Effect.map(Effect.serviceOption(SqlClient.TransactionConnection), (tx) => {
      const feed = feeds.get(sql)
      if (feed === undefined) return
      if (Option.isSome(tx)) feed.signalAtEnd(tx.value[0])
      else feed.signal()
    }),
)
