import type { Conditions } from "@atom/domain/authz"
import { Either } from "effect"
import { isJsonObject } from "./isJsonObject.js"

export const CONDITIONS_MUST_BE_OBJECT = "conditions must be a JSON object"

/** Write-time check (authz.md §2.7): null or absent becomes `{}`, any other non-object is refused. */
export const validateConditions = (input: unknown): Either.Either<Conditions, string> => {
  if (input === null || input === undefined) return Either.right({})
  if (isJsonObject(input)) return Either.right(input)
  return Either.left(CONDITIONS_MUST_BE_OBJECT)
}
