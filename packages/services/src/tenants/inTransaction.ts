import { fromSqlError } from "@atom/repositories/db"
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

const isSqlError = (e: unknown): e is SqlError => e instanceof SqlError

/** Runs a use case's writes in one transaction; a failure to begin or commit maps like any statement. */
export const inTransaction =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    sql.withTransaction(effect).pipe(Effect.catchIf(isSqlError, (e) => Effect.fail(fromSqlError(e))))
