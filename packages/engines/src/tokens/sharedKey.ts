import { randomBytes } from "node:crypto"
import { type Either, Option } from "effect"
import { decodeHex, encodeHex, utf8Encode } from "../secrets/encoding.js"
import {
  type KekError,
  type KeyEncryptionKey,
  kekHmac,
  kekHmacVerify,
  openString,
  type SealedSecret,
  type StoredSealedSecret,
  sealString,
} from "../secrets/kek.js"
import { uuidFromBytes, uuidToBytes, uuidToSimpleHex } from "./uuid.js"

// Shared keys (identity-certs §2.6): retrievable machine secrets, never bearer tokens.
// Generated form `atom_shared_<32 hex credential uuid>_<64 hex of 32 random bytes>`, or any
// non-blank operator-chosen string. Stored three ways, all over the key's full UTF-8 text:
// argon2id (`secret_hash`), HMAC-SHA256 under the KEK (`secret_lookup_hash`), and AES-256-GCM
// under the KEK with AAD = the credential's 16 UUID bytes (so it can be revealed again).

export const SHARED_KEY_PREFIX = "atom_shared_"
export const SHARED_KEY_SECRET_BYTES = 32

/** 409 text when a stored key cannot be opened (wrong KEK, tampering, moved row). */
export const SHARED_KEY_LOST_MESSAGE =
  "could not retrieve the shared key; the stored key is lost, please set a new shared key"
export const SHARED_KEY_REQUIRES_KEK_MESSAGE = "ATOM_KEY_ENCRYPTION_KEY must be set to create retrievable shared keys"

export const generateSharedKey = (credentialId: string): string =>
  `${SHARED_KEY_PREFIX}${uuidToSimpleHex(credentialId)}_${encodeHex(new Uint8Array(randomBytes(SHARED_KEY_SECRET_BYTES)))}`

/**
 * The credential id embedded in a server-generated key, for the direct lookup at login.
 * As lenient as the reference: the text between the prefix and the next `_` must be the
 * 16 bytes of a UUID in hex; the rest is not examined (the argon2 check decides).
 */
export const embeddedSharedKeyCredentialId = (secret: string): Option.Option<string> => {
  if (!secret.startsWith(SHARED_KEY_PREFIX)) return Option.none()
  const rest = secret.slice(SHARED_KEY_PREFIX.length)
  const end = rest.indexOf("_")
  const bytes = decodeHex(end < 0 ? rest : rest.slice(0, end))
  return bytes !== null && bytes.length === 16 ? Option.some(uuidFromBytes(bytes)) : Option.none()
}

/** `secret_lookup_hash`: HMAC-SHA256(KEK, UTF-8 of the whole key). */
export const sharedKeyLookupHash = (kek: KeyEncryptionKey, key: string): Uint8Array => kekHmac(kek, utf8Encode(key))

export const verifySharedKeyLookupHash = (kek: KeyEncryptionKey, key: string, stored: Uint8Array): boolean =>
  kekHmacVerify(kek, utf8Encode(key), stored)

/** Seals the key for `revealSharedKey`, bound to the credential row. */
export const sealSharedKey = (kek: KeyEncryptionKey, credentialId: string, key: string): SealedSecret =>
  sealString(kek, uuidToBytes(credentialId), key)

export const openSharedKey = (
  kek: KeyEncryptionKey,
  credentialId: string,
  sealed: StoredSealedSecret,
): Either.Either<string, KekError> => openString(kek, uuidToBytes(credentialId), sealed)
