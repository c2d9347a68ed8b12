import { isArgon2Verifier, verifyOpaqueSecret } from "@atom/engines/tokens"
import type { EmailTokenRow } from "@atom/repositories/identity"
import { Effect, Redacted } from "effect"
import type { PasswordHasherShape } from "../passwords/PasswordHasher.js"

/**
 * Whether a presented one-time secret matches its stored verifier: SHA-256 compared in constant time,
 * or argon2 for a row written the reference's way.
 */
export const emailTokenSecretMatches = (
  hasher: PasswordHasherShape,
  row: EmailTokenRow,
  secret: string,
): Effect.Effect<boolean> =>
  isArgon2Verifier(row.secretHash)
    ? hasher.verify(row.secretHash, Redacted.make(secret))
    : Effect.sync(() => verifyOpaqueSecret(secret, row.secretHash))
