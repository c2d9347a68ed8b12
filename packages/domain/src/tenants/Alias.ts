import { Either } from "effect"

const MAX_ALIAS = 63
const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const SIMPLE_UUID = /^[0-9a-f]{32}$/
const ALIAS_CHARS = /^[a-z0-9-]+$/

/**
 * An alias as stored (identity-certs §1.2): trimmed and lowercased; blank means none (null). The left
 * side is the contract's message for the first rule the input breaks.
 */
export const normalizeAlias = (input: string | null): Either.Either<string | null, string> => {
  if (input === null) return Either.right(null)
  const alias = input.trim().toLowerCase()
  if (alias === "") return Either.right(null)
  if (alias.length > MAX_ALIAS) return Either.left(`alias must be at most ${MAX_ALIAS} characters`)
  if (DASHED_UUID.test(alias) || SIMPLE_UUID.test(alias)) {
    return Either.left("alias must not be UUID-shaped; use the id instead")
  }
  if (!ALIAS_CHARS.test(alias)) return Either.left("alias may contain only lowercase letters, digits, and '-'")
  if (alias.startsWith("-")) return Either.left("alias must start with a letter or digit")
  if (alias.endsWith("-")) return Either.left("alias must not end with '-'")
  return Either.right(alias)
}
