import { createHash, createHmac, timingSafeEqual } from "node:crypto"

const utf8 = new TextEncoder()

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they
 * differ. Unequal lengths still run one full comparison (of `b` with itself) before answering
 * false, so a mismatch in length is not cheaper than a mismatch in content.
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) {
    timingSafeEqual(b, b)
    return false
  }
  return timingSafeEqual(a, b)
}

const digest = (s: string): Uint8Array => createHash("sha256").update(utf8.encode(s)).digest()

/**
 * Compares two strings without revealing where they differ or how long the expected one is:
 * both are reduced to SHA-256 digests of a fixed 32 bytes, which are compared in constant time.
 * For secrets presented as text (hex digests, opaque tokens).
 */
export const constantTimeEqualString = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

/** HMAC-SHA256(key, data): the 32-byte keyed digest used as a lookup verifier. */
export const hmacSha256 = (key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac("sha256", key).update(data).digest())

/** Recomputes HMAC-SHA256(key, data) and compares it with `expected` in constant time. */
export const hmacSha256Verify = (key: Uint8Array, data: Uint8Array, expected: Uint8Array): boolean =>
  constantTimeEqual(hmacSha256(key, data), expected)

export const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(data).digest())
