import { bumpAuthzRevision } from "@atom/repositories/authz"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** Runs a use case's writes in one transaction; database failures become the contract's errors. */
export const transactionally =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DbFailure, R> =>
    sql.withTransaction(effect).pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))

/** `bumpAuthzRevision` on this client: call it inside the transaction of every decision-changing write. */
export const bumpRevisionOn = (sql: SqlClient.SqlClient): Effect.Effect<void, DbFailure> =>
  Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
