import { InvalidInput } from "@atom/domain/errors"
import { Effect, ParseResult, Schema } from "effect"

/** Decodes resolver arguments; a mismatch is the caller's error, named by its first problem. */
export const decodeArgs = <A, I>(schema: Schema.Schema<A, I>, args: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema)(args).pipe(
    Effect.mapError((e) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
      const path = issue?.path.map(String).join(".") ?? ""
      const message = issue?.message ?? "invalid input"
      return new InvalidInput({ message: path === "" ? message : `${path}: ${message}` })
    }),
  )
