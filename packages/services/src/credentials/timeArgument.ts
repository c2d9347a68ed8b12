import { InvalidInput } from "@atom/domain/errors"
import { parseRfc3339 } from "@atom/engines/conditions"
import { Effect } from "effect"

/** An optional RFC 3339 argument (`expiresAt` …): `<name> must be RFC3339` when it does not parse (api.md §3.3). */
export const rfc3339Argument = (name: string, value: string | null): Effect.Effect<Date | null, InvalidInput> => {
  if (value === null) return Effect.succeed(null)
  const instant = parseRfc3339(value)
  return instant === undefined
    ? Effect.fail(new InvalidInput({ message: `${name} must be RFC3339` }))
    : Effect.succeed(new Date(instant.seconds * 1000 + Math.floor(instant.nanos / 1_000_000)))
}
