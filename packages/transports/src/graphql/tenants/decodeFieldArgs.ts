import { InvalidInput } from "@atom/domain/errors"
import { Effect, ParseResult, Schema } from "effect"

/**
 * Decodes resolver arguments; a mismatch is the caller's error carrying the first issue's own message,
 * so argument schemas can speak the contract (`tenantId must be a UUID`, api.md §3.3).
 */
export const decodeFieldArgs = <A, I>(schema: Schema.Schema<A, I>, args: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema, { errors: "first" })(args).pipe(
    Effect.mapError((e) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
      const field = issue?.path.at(-1)
      const message =
        issue === undefined
          ? "invalid input"
          : issue._tag === "Missing" && field !== undefined
            ? `${String(field)} is required`
            : issue.message
      return new InvalidInput({ message })
    }),
  )
