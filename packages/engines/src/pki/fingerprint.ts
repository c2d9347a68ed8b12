import { createHash } from "node:crypto"
import { type Bytes, toBytes, toHex } from "./der.js"

export const sha1 = (data: Uint8Array): Bytes => toBytes(createHash("sha1").update(data).digest())
export const sha256 = (data: Uint8Array): Bytes => toBytes(createHash("sha256").update(data).digest())

/** SHA-256 of the DER encoding (never of PEM text), as 64 lowercase hex characters. */
export const fingerprintSha256 = (der: Uint8Array): string => toHex(sha256(der))

/** A caller-supplied fingerprint with `:` and whitespace removed and lowercased (spec §3.6 step 5). */
export const normalizeFingerprint = (input: string): string => input.replace(/[:\s]/g, "").toLowerCase()

/** Whether a caller-supplied fingerprint names the stored one, after normalising both. */
export const fingerprintMatches = (supplied: string, stored: string): boolean =>
  normalizeFingerprint(supplied) === normalizeFingerprint(stored)
