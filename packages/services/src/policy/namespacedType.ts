import { InvalidInput } from "@atom/domain/errors"
import { Effect } from "effect"

/**
 * A type of an action's applicability or of a guardrail rule: trimmed, blank = none, otherwise
 * `<objectKind>:<non-empty>` (these never accept bare types, unlike blocks).
 */
export const namespacedTypeOf = (
  objectKind: string,
  objectType: string | null,
): Effect.Effect<string | null, InvalidInput> => {
  const type = objectType?.trim() ?? ""
  if (type === "") return Effect.succeed(null)
  const colon = type.indexOf(":")
  if (colon < 0) return Effect.fail(new InvalidInput({ message: "objectType must be namespaced as object_kind:type" }))
  if (type.slice(0, colon) !== objectKind || colon === type.length - 1) {
    return Effect.fail(new InvalidInput({ message: "objectType namespace must match objectKind" }))
  }
  return Effect.succeed(type)
}
