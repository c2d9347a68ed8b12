import { InvalidInput } from "@atom/domain/errors"
import { Effect, ParseResult, Schema } from "effect"

/** Decodes resolver arguments; a mismatch is the caller's error, named by its first problem. */
export const decodeArgs = <A, I>(schema: Schema.Schema<A, I>, args: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema)(args).pipe(
    Effect.mapError(
      (e) =>
        new InvalidInput({
          message: ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(-1)[0]?.trim() ?? "invalid input",
        }),
    ),
  )
