import { InvalidInput } from "@atom/domain/errors"
import { Either } from "effect"

// The password rules of identity-certs §2.7 / api.md §1.3, as the reference applies them:
//   - signup: an empty password is `password is required` (checked before strength);
//   - humans (signup, reset, createPassword, bootstrap): fewer than N characters (Unicode scalar
//     values; N = ATOM_MIN_PASSWORD_CHARS, default 12) is `password must be at least N characters`,
//     then a password of only whitespace is `password cannot be blank`;
//   - machines: only `password cannot be blank`.
// All are 400s (InvalidInput).

export const DEFAULT_MIN_PASSWORD_CHARS = 12

export const PasswordPolicyMessages = {
  required: "password is required",
  blank: "password cannot be blank",
  tooShort: (minChars: number) => `password must be at least ${minChars} characters`,
  confirmationMismatch: "password confirmation does not match",
} as const

// Rust's `char::is_whitespace` (Unicode White_Space), which differs from JavaScript's `\s`
// (no U+0085 there, an extra U+FEFF).
const WHITE_SPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
])

const isBlank = (s: string): boolean => {
  for (const ch of s) if (!WHITE_SPACE.has(ch.codePointAt(0) ?? -1)) return false
  return true
}

const charCount = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

const invalid = (message: string) => Either.left(new InvalidInput({ message }))

/** The strength rule for human passwords. An empty string is also blank, when `minChars` is 0. */
export const validatePasswordStrength = (
  password: string,
  minChars: number = DEFAULT_MIN_PASSWORD_CHARS,
): Either.Either<void, InvalidInput> => {
  if (charCount(password) < minChars) return invalid(PasswordPolicyMessages.tooShort(minChars))
  if (isBlank(password)) return invalid(PasswordPolicyMessages.blank)
  return Either.void
}

/** Signup: `password is required` for an empty password, then the strength rule. */
export const validateSignupPassword = (
  password: string,
  minChars: number = DEFAULT_MIN_PASSWORD_CHARS,
): Either.Either<void, InvalidInput> =>
  password === "" ? invalid(PasswordPolicyMessages.required) : validatePasswordStrength(password, minChars)

/** Machines (device, service, workload, application): only non-blank. */
export const validateMachineSecret = (secret: string): Either.Either<void, InvalidInput> =>
  isBlank(secret) ? invalid(PasswordPolicyMessages.blank) : Either.void

/** `createPassword`: humans get the strength rule, every other kind only the blank check. */
export const validatePasswordForEntity = (
  isHuman: boolean,
  password: string,
  minChars: number = DEFAULT_MIN_PASSWORD_CHARS,
): Either.Either<void, InvalidInput> =>
  isHuman ? validatePasswordStrength(password, minChars) : validateMachineSecret(password)

/** Password reset: a confirmation, when given, must match before any other rule. */
export const validatePasswordReset = (
  password: string,
  confirmPassword: string | null | undefined,
  minChars: number = DEFAULT_MIN_PASSWORD_CHARS,
): Either.Either<void, InvalidInput> =>
  confirmPassword !== null && confirmPassword !== undefined && confirmPassword !== password
    ? invalid(PasswordPolicyMessages.confirmationMismatch)
    : validatePasswordStrength(password, minChars)
