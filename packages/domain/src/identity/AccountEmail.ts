import { Either } from "effect"

export type AccountEmailError = "email is required" | "invalid email"

/**
 * An account's address as signup, resend and password reset take it (identity-certs §1.6): trimmed and
 * lowercased; no `@` is `email is required`; an empty local part, a domain without a dot, or any
 * whitespace inside is `invalid email`.
 */
export const normalizeAccountEmail = (input: string): Either.Either<string, AccountEmailError> => {
  const email = input.trim().toLowerCase()
  const at = email.indexOf("@")
  if (at < 0) return Either.left("email is required")
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  if (local === "" || domain === "" || !domain.includes(".") || /\s/.test(email)) return Either.left("invalid email")
  return Either.right(email)
}
