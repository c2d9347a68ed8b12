import { Either } from "effect"

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

/** An invitee address as stored: trimmed, lowercased, with a local part and a dotted domain. */
export const normalizeInviteeEmail = (input: string): Either.Either<string, "invalid email"> => {
  const email = input.trim().toLowerCase()
  return EMAIL.test(email) ? Either.right(email) : Either.left("invalid email")
}
