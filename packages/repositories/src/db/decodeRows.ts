import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import type { ParseError } from "effect/ParseResult"
import { type DbFailure, fromSqlError } from "./sqlErrors.js"

/**
 * Runs a statement and decodes its rows. A row that does not fit the schema is a defect (the
 * schema and the SQL disagree), not the caller's error; database failures map to DbFailure.
 */
export const decodeRows = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = arrayDecoder(schema)
  return <R>(
    statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>,
  ): Effect.Effect<ReadonlyArray<A>, DbFailure, R> =>
    statement.pipe(
      Effect.mapError(fromSqlError),
      Effect.flatMap((rows) => Effect.orDie(decode(rows))),
    )
}

type ArrayDecoder<A> = (rows: unknown) => Effect.Effect<ReadonlyArray<A>, ParseError>

// Repositories call decodeRows(Row) per statement: building Schema.Array and its decoder each time cost
// more than the decoding, so one decoder is kept per row schema (schemas are module-level constants).
const decoders = new WeakMap<Schema.Schema.Any, ArrayDecoder<unknown>>()

const arrayDecoder = <A, I>(schema: Schema.Schema<A, I>): ArrayDecoder<A> => {
  const known = decoders.get(schema)
  // safe: the decoder stored under a schema was made from that very schema
  if (known !== undefined) return known as ArrayDecoder<A>
  const decode: ArrayDecoder<A> = Schema.decodeUnknown(Schema.Array(schema))
  decoders.set(schema, decode)
  return decode
}

/** A statement run for its effect only. */
export const execute = <R>(statement: Effect.Effect<unknown, SqlError, R>): Effect.Effect<void, DbFailure, R> =>
  statement.pipe(Effect.asVoid, Effect.mapError(fromSqlError))
