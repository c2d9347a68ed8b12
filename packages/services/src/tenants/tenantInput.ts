import { InvalidInput } from "@atom/domain/errors"
import { normalizeAlias } from "@atom/domain/tenants"
import { Effect, Either } from "effect"

const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))

export const isJsonObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A required, trimmed, non-blank text field. */
export const requiredText = (field: string, value: string) => {
  const trimmed = value.trim()
  return trimmed === "" ? invalid(`${field} is required`) : Effect.succeed(trimmed)
}

/** An alias as stored, or null for none (identity-certs §1.2). */
export const aliasOf = (value: string | null) =>
  Either.match(normalizeAlias(value), { onLeft: invalid, onRight: (alias) => Effect.succeed(alias) })

/** A JSON object field; null or absent is `{}`. */
export const jsonObjectOf = (field: string, value: unknown) =>
  value === null || value === undefined
    ? Effect.succeed({})
    : isJsonObject(value)
      ? Effect.succeed(value)
      : invalid(`${field} must be a JSON object`)

/** Tags as given, trimmed; blank tags are refused. */
export const tagsOf = (tags: ReadonlyArray<string>) =>
  tags.some((t) => t.trim() === "") ? invalid("tags must not be blank") : Effect.succeed(tags.map((t) => t.trim()))
