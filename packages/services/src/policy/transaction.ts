import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import type { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

/**
 * Runs a use case's writes in one transaction: any failure rolls everything back, and a failure to begin
 * or commit maps like every other database failure (503 when the database is away).
 */
export const transactional =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DbFailure, R> =>
    sql.withTransaction(effect).pipe(
      Effect.catchIf(
        (error): error is SqlError => error instanceof SqlError,
        (error) => Effect.fail(fromSqlError(error)),
      ),
    )
