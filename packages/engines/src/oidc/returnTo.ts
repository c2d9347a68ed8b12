import { Either } from "effect"

export const RETURN_TO_MESSAGE = "return_to must be a same-origin path"

/**
 * The path to land on after an OAuth sign-in (api.md §1.3): blank means none; otherwise it must start
 * with `/`, not `//`, and contain no `://`. A backslash is refused as well, since browsers read `/\`
 * as `//` (another origin).
 */
export const normalizeReturnTo = (raw: string | null): Either.Either<string | null, string> => {
  const value = raw?.trim() ?? ""
  if (value === "") return Either.right(null)
  const sameOrigin =
    value.startsWith("/") &&
    !value.startsWith("//") &&
    !value.includes("://") &&
    !value.includes("\\") &&
    // no control characters (a tab or newline inside a URL is dropped by browsers)
    ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  return sameOrigin ? Either.right(value) : Either.left(RETURN_TO_MESSAGE)
}
