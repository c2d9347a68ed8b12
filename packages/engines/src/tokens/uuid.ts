import { decodeHex, encodeHex } from "../secrets/encoding.js"

const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const SIMPLE = /^[0-9a-fA-F]{32}$/

/**
 * Parses a UUID in any form the reference's `Uuid::parse_str` accepts — hyphenated, simple
 * (32 hex), braced `{…}` or `urn:uuid:…` (lowercase prefix), hex of either case — into the
 * canonical lowercase hyphenated form. Null when it is none of those.
 */
export const parseUuid = (input: string): string | null => {
  let body = input
  if (body.length === 45 && body.startsWith("urn:uuid:")) body = body.slice(9)
  else if (body.length === 38 && body.startsWith("{") && body.endsWith("}")) body = body.slice(1, -1)
  if (HYPHENATED.test(body)) return body.toLowerCase()
  if (input.length === 32 && SIMPLE.test(input)) return simpleHexToUuid(input)
  return null
}

/** `0f…` (32 hex) → `0f……-…` (hyphenated, lowercase). The input must be 32 hex digits. */
export const simpleHexToUuid = (hex: string): string => {
  const h = hex.toLowerCase()
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** The 32 lowercase hex digits of a UUID (its 16 bytes), as embedded in `atom_…` tokens. */
export const uuidToSimpleHex = (uuid: string): string => uuid.replace(/-/g, "").toLowerCase()

/** The 16 bytes of a UUID (the AAD of a sealed shared key). Throws on a malformed UUID: a programming error. */
export const uuidToBytes = (uuid: string): Uint8Array => {
  const canonical = parseUuid(uuid)
  const bytes = canonical === null ? null : decodeHex(uuidToSimpleHex(canonical))
  if (bytes === null) throw new TypeError(`not a UUID: ${uuid}`)
  return bytes
}

export const uuidFromBytes = (bytes: Uint8Array): string => {
  if (bytes.length !== 16) throw new RangeError("a UUID is 16 bytes")
  return simpleHexToUuid(encodeHex(bytes))
}
