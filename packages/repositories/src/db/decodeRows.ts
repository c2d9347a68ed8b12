import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { type DbFailure, fromSqlError } from "./sqlErrors.js"

/**
 * Runs a statement and decodes its rows. A row that does not fit the schema is a defect (the
 * schema and the SQL disagree), not the caller's error; database failures map to DbFailure.
 */
export const decodeRows =
  <A, I>(schema: Schema.Schema<A, I>) =>
  <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>): Effect.Effect<ReadonlyArray<A>, DbFailure, R> =>
    statement.pipe(
      Effect.mapError(fromSqlError),
      Effect.flatMap((rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(schema))(rows))),
    )

/** A statement run for its effect only. */
export const execute = <R>(statement: Effect.Effect<unknown, SqlError, R>): Effect.Effect<void, DbFailure, R> =>
  statement.pipe(Effect.asVoid, Effect.mapError(fromSqlError))
