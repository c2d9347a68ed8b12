import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/** Runs a use case's writes in one transaction; a failing begin/commit becomes the contract's error. */
export const inTransaction =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DbFailure, R> =>
    sql.withTransaction(effect).pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))
