import { randomBytes, randomUUID } from "node:crypto"
import { Unauthenticated } from "@atom/domain/errors"
import { Either } from "effect"
import { decodeHex, encodeHex } from "../secrets/encoding.js"
import { type KeyEncryptionKey, kekHmac, kekHmacVerify } from "../secrets/kek.js"
import { AuthMessages } from "./messages.js"
import { simpleHexToUuid, uuidToSimpleHex } from "./uuid.js"

// Access tokens / API keys (identity-certs §2.5, api.md §6.2):
//   atom_<32 hex: the credential row's UUID bytes>_<64 hex: 32 random bytes>   (102 chars)
// The credential id is the row's `id` written without hyphens, so authentication loads the row
// by primary key. `identifier` is the first 13 characters. The verifier is
// `secret_lookup_hash = HMAC-SHA256(KEK, the 32 raw secret bytes)` — not the hex text — compared in
// constant time; without a KEK the reference stores argon2id of the same 32 raw bytes
// (PasswordHasher.hash(Redacted.make(secret))).

export const ACCESS_TOKEN_PREFIX = "atom_"
export const ACCESS_TOKEN_LENGTH = 102
export const ACCESS_TOKEN_SECRET_BYTES = 32
export const ACCESS_TOKEN_IDENTIFIER_LENGTH = 13

export interface AccessTokenParts {
  /** canonical lowercase hyphenated UUID of the credential row */
  readonly credentialId: string
  /** the 32 random secret bytes */
  readonly secret: Uint8Array
}

export interface MintedAccessToken extends AccessTokenParts {
  /** shown once to the caller, never stored */
  readonly token: string
  /** the `identifier` column: the first 13 characters */
  readonly identifier: string
}

export const formatAccessToken = (credentialId: string, secret: Uint8Array): string =>
  `${ACCESS_TOKEN_PREFIX}${uuidToSimpleHex(credentialId)}_${encodeHex(secret)}`

export const accessTokenIdentifier = (token: string): string => token.slice(0, ACCESS_TOKEN_IDENTIFIER_LENGTH)

/** A new token for the credential row `credentialId` (a fresh UUIDv4 by default). */
export const generateAccessToken = (credentialId: string = randomUUID()): MintedAccessToken => {
  const secret = new Uint8Array(randomBytes(ACCESS_TOKEN_SECRET_BYTES))
  const token = formatAccessToken(credentialId, secret)
  return {
    credentialId: credentialId.toLowerCase(),
    secret,
    token,
    identifier: accessTokenIdentifier(token),
  }
}

/** Bearer dispatch: anything starting with `atom_` is an access token (never a JWT). */
export const isAccessTokenBearer = (token: string): boolean => token.startsWith(ACCESS_TOKEN_PREFIX)

/**
 * Strict parse: `atom_`, 32 hex, `_`, 64 hex and nothing else — else `malformed api key`.
 * Hex of either case is accepted, as the reference's decoder does; the credential id comes back
 * canonical (lowercase, hyphenated).
 */
export const parseAccessToken = (token: string): Either.Either<AccessTokenParts, Unauthenticated> => {
  const malformed = Either.left(new Unauthenticated({ message: AuthMessages.malformedApiKey }))
  if (token.length !== ACCESS_TOKEN_LENGTH || !token.startsWith(ACCESS_TOKEN_PREFIX)) return malformed
  const idHex = token.slice(5, 37)
  if (token[37] !== "_") return malformed
  const id = decodeHex(idHex)
  const secret = decodeHex(token.slice(38))
  if (id === null || id.length !== 16 || secret === null || secret.length !== ACCESS_TOKEN_SECRET_BYTES) {
    return malformed
  }
  return Either.right({ credentialId: simpleHexToUuid(idHex), secret })
}

/** `secret_lookup_hash` for a token minted while a KEK is configured. */
export const accessTokenLookupHash = (kek: KeyEncryptionKey, secret: Uint8Array): Uint8Array => kekHmac(kek, secret)

/** Constant-time check of the presented secret against the stored `secret_lookup_hash`. */
export const verifyAccessTokenLookupHash = (kek: KeyEncryptionKey, secret: Uint8Array, stored: Uint8Array): boolean =>
  kekHmacVerify(kek, secret, stored)
