import { Either } from "effect"
import { type Bytes, fromHex, toHex } from "./der.js"
import { InvalidSerialNumber } from "./errors.js"

/** Issued serials are 16 random bytes: 32 lowercase hex characters. */
export const SERIAL_BYTES = 16

/**
 * api.md §2.4 / spec §3.2: `:` and whitespace are removed, letters lowercased, and the rest must
 * be non-empty, even-length hex; otherwise `invalid certificate serial number`.
 */
export const normalizeSerial = (input: string): Either.Either<string, InvalidSerialNumber> => {
  const normalized = input.replace(/[:\s]/g, "").toLowerCase()
  return normalized.length > 0 && normalized.length % 2 === 0 && /^[0-9a-f]+$/.test(normalized)
    ? Either.right(normalized)
    : Either.left(new InvalidSerialNumber())
}

/** The bytes of a serial given as hex (normalised first). */
export const serialToBytes = (input: string): Either.Either<Bytes, InvalidSerialNumber> =>
  Either.flatMap(normalizeSerial(input), (hex) => {
    const bytes = fromHex(hex)
    return bytes === undefined ? Either.left(new InvalidSerialNumber()) : Either.right(bytes)
  })

/**
 * The lookup key for a serial read from a certificate or an OCSP CertID: the INTEGER content with
 * leading zero bytes stripped, as lowercase hex; undefined for a zero serial.
 */
export const serialHexFromInteger = (content: Uint8Array): string | undefined => {
  let start = 0
  while (start < content.length && content[start] === 0) start++
  return start === content.length ? undefined : toHex(content.subarray(start))
}

export interface GeneratedSerial {
  /** Exactly 16 bytes, top bit clear, first byte non-zero: a positive INTEGER with no padding. */
  readonly bytes: Bytes
  /** 32 lowercase hex characters: the stored `identifier`. */
  readonly hex: string
}

/** 128 random bits with the top bit cleared and a non-zero first byte (spec §3.2). */
export const generateSerial = (): GeneratedSerial => {
  const bytes = new Uint8Array(SERIAL_BYTES)
  crypto.getRandomValues(bytes)
  bytes[0] = (bytes[0] ?? 0) & 0x7f
  if (bytes[0] === 0) bytes[0] = 1
  return { bytes, hex: toHex(bytes) }
}
