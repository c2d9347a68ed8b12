import { InvalidInput } from "@atom/domain/errors"
import { normalizeAlias } from "@atom/domain/tenants"
import { Effect, Either } from "effect"

/** An alias as stored (trimmed, lowercased, blank = none), or the rule it breaks (identity-certs §1.2). */
export const aliasInput = (raw: string | null): Effect.Effect<string | null, InvalidInput> =>
  Either.match(normalizeAlias(raw), {
    onLeft: (message) => Effect.fail(new InvalidInput({ message })),
    onRight: Effect.succeed,
  })

/** A required display name: trimmed, never blank. */
export const nameInput = (field: string, raw: string): Effect.Effect<string, InvalidInput> => {
  const name = raw.trim()
  return name === "" ? Effect.fail(new InvalidInput({ message: `${field} must not be empty` })) : Effect.succeed(name)
}
