import { randomBytes, randomUUID } from "node:crypto"
import { Option } from "effect"
import { constantTimeEqualString, sha256 } from "../secrets/constantTime.js"
import { decodeHex, encodeHex, utf8Encode } from "../secrets/encoding.js"
import { simpleHexToUuid, uuidToSimpleHex } from "./uuid.js"

// One-time tokens (api.md §6.2): `<prefix>_<32 hex row uuid>_<64 hex of 32 random bytes>`, all
// URL-safe. The row id is in the token, so a token is found by primary key and its secret checked
// against the stored hash; consumption is an atomic single-use UPDATE done by the caller.
//
// Storage hash: the reference stores argon2id of the 64-character hex secret *text*. Here the
// default verifier is SHA-256 of that text (hex, 64 chars): the secret is 256 random bits, so a
// slow hash adds CPU per request without adding resistance to guessing. A row hashed the
// reference's way is recognised by its `$argon2` prefix; verify such rows with
// PasswordHasher.verify(hash, Redacted.make(secret)).

export const OpaqueTokenPrefix = {
  emailVerification: "atomv",
  passwordReset: "atomr",
  oauthState: "atoms",
  authExchangeCode: "atomx",
  tenantInvitation: "atomi",
} as const

export type OpaqueTokenPrefix = (typeof OpaqueTokenPrefix)[keyof typeof OpaqueTokenPrefix]

export interface OpaqueToken {
  /** the row's id (canonical UUID) */
  readonly id: string
  /** the 64 lowercase hex characters after the id; what gets hashed */
  readonly secret: string
  /** what the user receives */
  readonly token: string
}

export const generateOpaqueToken = (prefix: OpaqueTokenPrefix, id: string = randomUUID()): OpaqueToken => {
  const secret = encodeHex(new Uint8Array(randomBytes(32)))
  return { id: id.toLowerCase(), secret, token: `${prefix}_${uuidToSimpleHex(id)}_${secret}` }
}

/**
 * `<prefix>_` + 32 hex + `_` + 64 hex, nothing else (either case, as the reference accepts);
 * none otherwise — the caller answers with its flow's own text (`invalid verification token`,
 * `invalid password reset token`, `invalid exchange code`, …).
 */
export const parseOpaqueToken = (token: string, prefix: OpaqueTokenPrefix): Option.Option<OpaqueToken> => {
  const head = `${prefix}_`
  if (!token.startsWith(head)) return Option.none()
  const rest = token.slice(head.length)
  if (rest.length !== 97 || rest[32] !== "_") return Option.none()
  const idHex = rest.slice(0, 32)
  const secret = rest.slice(33)
  const id = decodeHex(idHex)
  const secretBytes = decodeHex(secret)
  if (id === null || id.length !== 16 || secretBytes === null || secretBytes.length !== 32) return Option.none()
  return Option.some({ id: simpleHexToUuid(idHex), secret, token })
}

/** The stored verifier: lowercase hex SHA-256 of the secret's text. */
export const hashOpaqueSecret = (secret: string): string => encodeHex(sha256(utf8Encode(secret)))

/** Constant-time check of a presented secret against a stored SHA-256 verifier. */
export const verifyOpaqueSecret = (secret: string, storedHash: string): boolean =>
  constantTimeEqualString(hashOpaqueSecret(secret), storedHash.toLowerCase())

/** True for a verifier written the reference's way (argon2 PHC), which needs PasswordHasher. */
export const isArgon2Verifier = (storedHash: string): boolean => storedHash.startsWith("$argon2")
