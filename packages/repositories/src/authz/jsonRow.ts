import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { type DbFailure, fromSqlError } from "../db/sqlErrors.js"

/**
 * Runs a statement that answers exactly one row and decodes it. The authz loaders return their
 * collections as `json_agg(...)::text` columns: text is never touched by the client's camelCase
 * result transform, so JSON keys inside attributes and conditions arrive exactly as stored.
 * A row that does not fit the schema is a defect (SQL and schema disagree), not the caller's error.
 */
export const decodeOneRow =
  <A, I>(schema: Schema.Schema<A, I>) =>
  <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>): Effect.Effect<A, DbFailure, R> =>
    statement.pipe(
      Effect.mapError(fromSqlError),
      Effect.flatMap((rows) => Effect.orDie(Schema.decodeUnknown(schema)(rows[0]))),
    )

/** Decodes plain rows (one statement, many rows). */
export const decodeManyRows =
  <A, I>(schema: Schema.Schema<A, I>) =>
  <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>): Effect.Effect<ReadonlyArray<A>, DbFailure, R> =>
    statement.pipe(
      Effect.mapError(fromSqlError),
      Effect.flatMap((rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(schema))(rows))),
    )

/** A `json_agg(...)::text` column holding an array of `item`. */
export const JsonArrayColumn = <A, I>(item: Schema.Schema<A, I>) => Schema.parseJson(Schema.Array(item))

/** The revision as read in the statement's own snapshot (`revision::text`). */
export const RevisionColumn = Schema.BigInt
