import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import { Data, Either, Option, Redacted } from "effect"
import { hmacSha256, hmacSha256Verify } from "./constantTime.js"
import { decodeBase64Strict, decodeBase64UrlStrict, encodeBase64Url, utf8DecodeStrict, utf8Encode } from "./encoding.js"

// The key-encryption key (identity-certs §2.4): `ATOM_KEY_ENCRYPTION_KEY` is standard base64
// (canonical padding, surrounding whitespace trimmed) of exactly 32 bytes, used as the AES-256
// key itself — no derivation — and labelled by `ATOM_KEY_ENCRYPTION_KEY_ID` (default
// `local:v1`). Secrets are sealed with AES-256-GCM under a random 12-byte nonce; the caller binds
// each ciphertext to its row through the AAD (a signing key's kid, a shared key's credential UUID
// bytes). The same 32 bytes key the HMAC-SHA256 lookup digests.

export const KEK_ALGORITHM = "AES-256-GCM" as const
export const DEFAULT_KEK_ID = "local:v1"
export const KEK_ENV = "ATOM_KEY_ENCRYPTION_KEY"
export const KEK_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16

export interface KeyEncryptionKey {
  /** The label stored next to every ciphertext (`*_key_id` columns). */
  readonly keyId: string
  readonly key: Redacted.Redacted<Uint8Array>
}

export type KekErrorReason =
  | "not-base64"
  | "wrong-length"
  | "key-id-mismatch"
  | "unsupported-algorithm"
  | "invalid-nonce"
  | "decrypt-failed"
  | "malformed-envelope"
  | "not-utf8"

/** Every KEK failure; `message` is for logs and boot errors, never for clients. */
export class KekError extends Data.TaggedError("KekError")<{
  readonly reason: KekErrorReason
  readonly message: string
}> {}

/**
 * Reads `ATOM_KEY_ENCRYPTION_KEY`. Blank or absent means "no KEK" (`Option.none`); anything
 * else must be standard base64 of exactly 32 bytes or startup fails with the reference's text.
 */
export const parseKeyEncryptionKey = (
  raw: string | undefined,
  keyId: string = DEFAULT_KEK_ID,
): Either.Either<Option.Option<KeyEncryptionKey>, KekError> => {
  const value = raw?.trim() ?? ""
  if (value === "") return Either.right(Option.none())
  const decoded = decodeBase64Strict(value)
  if (!decoded.ok) {
    return Either.left(new KekError({ reason: "not-base64", message: `${KEK_ENV} must be base64 encoded` }))
  }
  if (decoded.bytes.length !== KEK_BYTES) {
    return Either.left(
      new KekError({ reason: "wrong-length", message: `${KEK_ENV} must decode to exactly ${KEK_BYTES} bytes` }),
    )
  }
  return Either.right(Option.some({ keyId, key: Redacted.make(decoded.bytes) }))
}

/** A KEK from raw bytes (tests, key tooling). Throws on a length other than 32: a programming error. */
export const makeKeyEncryptionKey = (bytes: Uint8Array, keyId: string = DEFAULT_KEK_ID): KeyEncryptionKey => {
  if (bytes.length !== KEK_BYTES) throw new RangeError(`a key-encryption key is ${KEK_BYTES} bytes`)
  return { keyId, key: Redacted.make(Uint8Array.from(bytes)) }
}

/** A fresh random KEK and its env-var form (standard base64). */
export const generateKeyEncryptionKey = (
  keyId: string = DEFAULT_KEK_ID,
): { readonly kek: KeyEncryptionKey; readonly env: string } => {
  const bytes = new Uint8Array(randomBytes(KEK_BYTES))
  return { kek: makeKeyEncryptionKey(bytes, keyId), env: Buffer.from(bytes).toString("base64") }
}

/** The four `*_ciphertext / *_nonce / *_key_id / *_enc_alg` columns of a sealed secret. */
export interface SealedSecret {
  /** AES-GCM ciphertext with the 16-byte tag appended (the reference's layout). */
  readonly ciphertext: Uint8Array
  readonly nonce: Uint8Array
  readonly keyId: string
  readonly algorithm: typeof KEK_ALGORITHM
}

/** A sealed secret as read back from storage: the algorithm column is whatever the row says. */
export interface StoredSealedSecret {
  readonly ciphertext: Uint8Array
  readonly nonce: Uint8Array
  readonly keyId: string
  readonly algorithm: string
}

const keyBytes = (kek: KeyEncryptionKey): Uint8Array => Redacted.value(kek.key)

/** Seals `plaintext` under the KEK, bound to `aad`. */
export const seal = (kek: KeyEncryptionKey, aad: Uint8Array, plaintext: Uint8Array): SealedSecret => {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES))
  const cipher = createCipheriv("aes-256-gcm", keyBytes(kek), nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return { ciphertext: new Uint8Array(body), nonce, keyId: kek.keyId, algorithm: KEK_ALGORITHM }
}

const kekError = (reason: KekErrorReason, message: string) => Either.left(new KekError({ reason, message }))

/**
 * Opens a sealed secret. Fails when it was sealed under another key id or algorithm, or when
 * the tag does not verify (tampered ciphertext or nonce, wrong key bytes, or other AAD).
 */
export const open = (
  kek: KeyEncryptionKey,
  aad: Uint8Array,
  sealed: StoredSealedSecret,
): Either.Either<Uint8Array, KekError> => {
  if (sealed.algorithm !== KEK_ALGORITHM) {
    return kekError("unsupported-algorithm", `unsupported encryption algorithm ${sealed.algorithm}`)
  }
  if (sealed.keyId !== kek.keyId) {
    return kekError("key-id-mismatch", `sealed under key ${sealed.keyId}, but the configured key is ${kek.keyId}`)
  }
  if (sealed.nonce.length !== NONCE_BYTES) return kekError("invalid-nonce", "invalid aead nonce length")
  if (sealed.ciphertext.length < TAG_BYTES) return kekError("decrypt-failed", "aead decrypt")
  const split = sealed.ciphertext.length - TAG_BYTES
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyBytes(kek), sealed.nonce, { authTagLength: TAG_BYTES })
    decipher.setAAD(aad)
    decipher.setAuthTag(sealed.ciphertext.subarray(split))
    const plain = Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, split)), decipher.final()])
    return Either.right(new Uint8Array(plain))
  } catch {
    return kekError("decrypt-failed", "aead decrypt")
  }
}

/** Seals text (a PEM, a shared key) as UTF-8. */
export const sealString = (kek: KeyEncryptionKey, aad: Uint8Array, plaintext: string): SealedSecret =>
  seal(kek, aad, utf8Encode(plaintext))

/** Opens a secret sealed by `sealString`; invalid UTF-8 is a failure, not a replacement character. */
export const openString = (
  kek: KeyEncryptionKey,
  aad: Uint8Array,
  sealed: StoredSealedSecret,
): Either.Either<string, KekError> =>
  Either.flatMap(open(kek, aad, sealed), (bytes) => {
    const text = utf8DecodeStrict(bytes)
    return text === null ? kekError("not-utf8", "sealed secret is not UTF-8") : Either.right(text)
  })

// ─── Envelope string ─────────────────────────────────────────────────────────────────────────
//
// For places that keep a sealed secret in one text field rather than four columns:
//   atomkek:v1:<b64url key id>:<b64url 12-byte nonce>:<b64url ciphertext‖16-byte tag>
// `v1` fixes AES-256-GCM with a 12-byte nonce and a 16-byte tag; the key id is encoded so any
// label (`local:v1`, `kms:…`) survives the `:` separators. base64url is strict (no padding).

const ENVELOPE_PREFIX = "atomkek"
const ENVELOPE_VERSION = "v1"

export const encodeEnvelope = (sealed: SealedSecret): string =>
  [
    ENVELOPE_PREFIX,
    ENVELOPE_VERSION,
    encodeBase64Url(utf8Encode(sealed.keyId)),
    encodeBase64Url(sealed.nonce),
    encodeBase64Url(sealed.ciphertext),
  ].join(":")

export const decodeEnvelope = (envelope: string): Either.Either<SealedSecret, KekError> => {
  const malformed = (detail: string) => kekError("malformed-envelope", `malformed sealed secret: ${detail}`)
  const parts = envelope.split(":")
  if (parts.length !== 5 || parts[0] !== ENVELOPE_PREFIX) return malformed("not an atomkek envelope")
  const [, version = "", keyIdPart = "", noncePart = "", ciphertextPart = ""] = parts
  if (version !== ENVELOPE_VERSION) return malformed(`unsupported version ${version}`)
  const keyIdBytes = decodeBase64UrlStrict(keyIdPart)
  const nonce = decodeBase64UrlStrict(noncePart)
  const ciphertext = decodeBase64UrlStrict(ciphertextPart)
  if (!keyIdBytes.ok || !nonce.ok || !ciphertext.ok) return malformed("bad base64url")
  const keyId = utf8DecodeStrict(keyIdBytes.bytes)
  if (keyId === null || keyId === "") return malformed("bad key id")
  if (nonce.bytes.length !== NONCE_BYTES) return malformed("bad nonce length")
  if (ciphertext.bytes.length < TAG_BYTES) return malformed("ciphertext too short")
  return Either.right({ ciphertext: ciphertext.bytes, nonce: nonce.bytes, keyId, algorithm: KEK_ALGORITHM })
}

export const sealToEnvelope = (kek: KeyEncryptionKey, aad: Uint8Array, plaintext: Uint8Array): string =>
  encodeEnvelope(seal(kek, aad, plaintext))

export const openEnvelope = (
  kek: KeyEncryptionKey,
  aad: Uint8Array,
  envelope: string,
): Either.Either<Uint8Array, KekError> => Either.flatMap(decodeEnvelope(envelope), (sealed) => open(kek, aad, sealed))

// ─── Keyed lookup digest ─────────────────────────────────────────────────────────────────────

/** `secret_lookup_hash`: HMAC-SHA256 keyed by the KEK bytes (32 bytes out). */
export const kekHmac = (kek: KeyEncryptionKey, data: Uint8Array): Uint8Array => hmacSha256(keyBytes(kek), data)

/** Constant-time check of a stored `secret_lookup_hash`. */
export const kekHmacVerify = (kek: KeyEncryptionKey, data: Uint8Array, expected: Uint8Array): boolean =>
  hmacSha256Verify(keyBytes(kek), data, expected)
