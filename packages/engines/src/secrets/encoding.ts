// Strict byte encodings shared by the token and secret engines.
//
// The base64 decoder reproduces the decision order and error texts of the reference's decoder
// (Rust `base64` 0.22 general-purpose engine), because those texts reach clients inside
// `invalid token: Base64 error: …`. Node's own decoder is lenient (it skips bad characters),
// so it is never used on untrusted input here.

const INVALID = 0xff
const PAD = 0x3d // "="

const table = (alphabet: string): Uint8Array => {
  const t = new Uint8Array(256).fill(INVALID)
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i
  return t
}

const STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const URL_SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const STANDARD_TABLE = table(STANDARD_ALPHABET)
const URL_SAFE_TABLE = table(URL_SAFE_ALPHABET)

/** A decoding failure, worded as the reference's decoder words it (`Display`). */
export type Base64Error =
  | { readonly _tag: "InvalidByte"; readonly offset: number; readonly byte: number }
  | { readonly _tag: "InvalidLength"; readonly length: number }
  | { readonly _tag: "InvalidLastSymbol"; readonly offset: number; readonly byte: number }
  | { readonly _tag: "InvalidPadding" }

export const base64ErrorMessage = (e: Base64Error): string => {
  switch (e._tag) {
    case "InvalidByte":
      return `Invalid symbol ${e.byte}, offset ${e.offset}.`
    case "InvalidLength":
      return `Invalid input length: ${e.length}`
    case "InvalidLastSymbol":
      return `Invalid last symbol ${e.byte}, offset ${e.offset}.`
    case "InvalidPadding":
      return "Invalid padding"
  }
}

export type DecodeResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly error: Base64Error }

type PaddingMode = "none" | "canonical"

const fail = (error: Base64Error): DecodeResult => ({ ok: false, error })

const decode = (input: Uint8Array, t: Uint8Array, padding: PaddingMode): DecodeResult => {
  const len = input.length
  const rem = len % 4
  if (rem === 1) {
    const last = input[len - 1] ?? 0
    if (last !== PAD && t[last] === INVALID) return fail({ _tag: "InvalidByte", offset: len - 1, byte: last })
  }
  // Whole quads before the last 1..4 symbols (where padding may appear).
  const quadsLen = Math.max(0, len - rem - (rem === 0 ? 4 : 0))
  const out = new Uint8Array(Math.floor(len / 4) * 3 + 3)
  let o = 0
  for (let i = 0; i < quadsLen; i += 4) {
    let acc = 0
    for (let j = 0; j < 4; j++) {
      const b = input[i + j] ?? 0
      const m = t[b] ?? INVALID
      if (m === INVALID) return fail({ _tag: "InvalidByte", offset: i + j, byte: b })
      acc = (acc << 6) | m
    }
    out[o++] = (acc >>> 16) & 0xff
    out[o++] = (acc >>> 8) & 0xff
    out[o++] = acc & 0xff
  }
  let morselCount = 0
  let padCount = 0
  let firstPad = 0
  let lastSymbol = 0
  const morsels = [0, 0, 0, 0]
  for (let k = 0; quadsLen + k < len; k++) {
    const b = input[quadsLen + k] ?? 0
    if (b === PAD) {
      if (k < 2) return fail({ _tag: "InvalidByte", offset: quadsLen + k, byte: b })
      if (padCount === 0) firstPad = k
      padCount++
      continue
    }
    if (padCount > 0) return fail({ _tag: "InvalidByte", offset: quadsLen + firstPad, byte: PAD })
    lastSymbol = b
    const m = t[b] ?? INVALID
    if (m === INVALID) return fail({ _tag: "InvalidByte", offset: quadsLen + k, byte: b })
    morsels[morselCount++] = m
  }
  if (len > 0 && morselCount < 2) return fail({ _tag: "InvalidLength", length: quadsLen + morselCount })
  if (padding === "none" && padCount > 0) return fail({ _tag: "InvalidPadding" })
  if (padding === "canonical" && (padCount + morselCount) % 4 !== 0) return fail({ _tag: "InvalidPadding" })
  const leftoverBytes = Math.floor((morselCount * 6) / 8)
  if (morselCount > 0) {
    const [m0 = 0, m1 = 0, m2 = 0, m3 = 0] = morsels
    const num = ((m0 << 26) | (m1 << 20) | (m2 << 14) | (m3 << 8)) >>> 0
    const mask = 0xffffffff >>> (leftoverBytes * 8)
    if ((num & mask) !== 0) {
      return fail({ _tag: "InvalidLastSymbol", offset: quadsLen + morselCount - 1, byte: lastSymbol })
    }
    for (let k = 0; k < leftoverBytes; k++) out[o++] = (num >>> (24 - 8 * k)) & 0xff
  }
  return { ok: true, bytes: out.slice(0, o) }
}

const utf8 = new TextEncoder()

const asBytes = (input: string | Uint8Array): Uint8Array => (typeof input === "string" ? utf8.encode(input) : input)

/** base64url without padding, rejecting padding, foreign symbols and non-zero trailing bits. */
export const decodeBase64UrlStrict = (input: string | Uint8Array): DecodeResult =>
  decode(asBytes(input), URL_SAFE_TABLE, "none")

/** Standard base64 with canonical padding (the KEK's encoding). */
export const decodeBase64Strict = (input: string | Uint8Array): DecodeResult =>
  decode(asBytes(input), STANDARD_TABLE, "canonical")

export const encodeBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url")

/** Standard alphabet, no padding: the salt and hash fields of a PHC string. */
export const encodeBase64NoPad = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64").replace(/=+$/, "")

const HEX_VALUE = (() => {
  const t = new Int8Array(256).fill(-1)
  for (let i = 0; i < 10; i++) t[0x30 + i] = i
  for (let i = 0; i < 6; i++) {
    t[0x41 + i] = 10 + i
    t[0x61 + i] = 10 + i
  }
  return t
})()

/** Hex of either case (as the reference's `hex::decode` accepts); null on odd length or a non-hex digit. */
export const decodeHex = (input: string): Uint8Array | null => {
  if (input.length % 2 !== 0) return null
  const out = new Uint8Array(input.length / 2)
  for (let i = 0; i < out.length; i++) {
    // a code unit above 255 indexes past the table: undefined → -1
    const hi = HEX_VALUE[input.charCodeAt(2 * i)] ?? -1
    const lo = HEX_VALUE[input.charCodeAt(2 * i + 1)] ?? -1
    if (hi < 0 || lo < 0) return null
    out[i] = (hi << 4) | lo
  }
  return out
}

export const encodeHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

export const utf8Encode = (s: string): Uint8Array => utf8.encode(s)

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Strict UTF-8 decode; null when the bytes are not valid UTF-8. */
export const utf8DecodeStrict = (bytes: Uint8Array): string | null => {
  try {
    return fatalUtf8.decode(bytes)
  } catch {
    return null
  }
}
