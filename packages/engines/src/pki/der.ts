// A small, strict DER codec: the writer assembles bytes directly (fast enough for a 100k-entry CRL),
// the reader slices exact byte ranges (the raw TBS, names and keys that signatures and hashes cover).

/** Bytes backed by a plain ArrayBuffer, as WebCrypto wants them. */
export type Bytes = Uint8Array<ArrayBuffer>

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  enumerated: 0x0a,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const

/** Copies any byte view into bytes with their own ArrayBuffer. */
export const toBytes = (input: Uint8Array): Bytes => {
  const out = new Uint8Array(input.length)
  out.set(input)
  return out
}

export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Bytes => {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let pos = 0
  for (const part of parts) {
    out.set(part, pos)
    pos += part.length
  }
  return out
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

// ---------------------------------------------------------------------------------------------
// Writer

/** Bytes taken by the tag and length octets of an element whose content is `length` bytes. */
export const headerLength = (length: number): number =>
  length < 0x80 ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : length < 0x1000000 ? 5 : 6

/** Writes a tag and a definite length at `pos`; returns the position after them. */
export const writeHeader = (out: Uint8Array, pos: number, tag: number, length: number): number => {
  out[pos++] = tag
  if (length < 0x80) {
    out[pos++] = length
    return pos
  }
  const count = headerLength(length) - 2
  out[pos++] = 0x80 | count
  for (let i = count - 1; i >= 0; i--) out[pos++] = Math.floor(length / 2 ** (8 * i)) & 0xff
  return pos
}

export const tlv = (tag: number, ...parts: ReadonlyArray<Uint8Array>): Bytes => {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(headerLength(length) + length)
  let pos = writeHeader(out, 0, tag, length)
  for (const part of parts) {
    out.set(part, pos)
    pos += part.length
  }
  return out
}

export const sequence = (...parts: ReadonlyArray<Uint8Array>): Bytes => tlv(Tag.sequence, ...parts)
export const setOf = (...parts: ReadonlyArray<Uint8Array>): Bytes => tlv(Tag.set, ...parts)
/** `[n] EXPLICIT` (constructed context tag). */
export const explicit = (n: number, ...parts: ReadonlyArray<Uint8Array>): Bytes => tlv(0xa0 | n, ...parts)
/** `[n] IMPLICIT` over a primitive type. */
export const implicitPrimitive = (n: number, content: Uint8Array): Bytes => tlv(0x80 | n, content)

export const derNull: Bytes = Uint8Array.of(Tag.null, 0x00)
export const derBoolean = (value: boolean): Bytes => Uint8Array.of(Tag.boolean, 0x01, value ? 0xff : 0x00)
export const octetString = (content: Uint8Array): Bytes => tlv(Tag.octetString, content)
export const bitString = (content: Uint8Array, unusedBits = 0): Bytes =>
  tlv(Tag.bitString, Uint8Array.of(unusedBits), content)
export const enumerated = (value: number): Bytes => Uint8Array.of(Tag.enumerated, 0x01, value)

const utf8 = new TextEncoder()
export const utf8String = (value: string): Bytes => tlv(Tag.utf8String, utf8.encode(value))
/** IA5 is 7-bit ASCII; callers check the range first. */
export const ia5String = (value: string): Bytes => {
  const content = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) content[i] = value.charCodeAt(i)
  return tlv(Tag.ia5String, content)
}
export const isAscii = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false
  return true
}

/** Minimal INTEGER content for a non-negative magnitude (big-endian). */
export const unsignedIntegerContent = (magnitude: Uint8Array): Bytes => {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  if (magnitude.length === 0) return Uint8Array.of(0)
  const first = magnitude[start] ?? 0
  const body = magnitude.subarray(start)
  return first & 0x80 ? concatBytes([Uint8Array.of(0), body]) : toBytes(body)
}

export const unsignedInteger = (magnitude: Uint8Array): Bytes => tlv(Tag.integer, unsignedIntegerContent(magnitude))

export const bigintToBytes = (value: bigint): Bytes => {
  if (value < 0n) throw new RangeError("negative integer")
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export const smallInteger = (value: number | bigint): Bytes => unsignedInteger(bigintToBytes(BigInt(value)))

const oidCache = new Map<string, Bytes>()

export const objectIdentifierContent = (dotted: string): Bytes => {
  const arcs = dotted.split(".").map((arc) => BigInt(arc))
  const [first, second, ...rest] = arcs
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`)
  const out: Array<number> = []
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: Array<number> = [Number(arc & 0x7fn)]
    let remaining = arc >> 7n
    while (remaining > 0n) {
      chunk.unshift(Number(remaining & 0x7fn) | 0x80)
      remaining >>= 7n
    }
    out.push(...chunk)
  }
  return Uint8Array.from(out)
}

export const objectIdentifier = (dotted: string): Bytes => {
  const cached = oidCache.get(dotted)
  if (cached !== undefined) return cached
  const encoded = tlv(Tag.oid, objectIdentifierContent(dotted))
  oidCache.set(dotted, encoded)
  return encoded
}

// Time ---------------------------------------------------------------------------------------

const writeTwoDigits = (out: Uint8Array, pos: number, value: number): void => {
  out[pos] = 0x30 + ((value / 10) | 0)
  out[pos + 1] = 0x30 + (value % 10)
}

/**
 * Writes an RFC 5280 Time at `pos`: UTCTime for 1950–2049, GeneralizedTime otherwise, both to the
 * second with `Z`. Returns the position after it. UTCTime takes 15 bytes, GeneralizedTime 17.
 */
export const writeTime = (out: Uint8Array, pos: number, date: Date, forceGeneralized = false): number => {
  const year = date.getUTCFullYear()
  const utc = !forceGeneralized && year >= 1950 && year < 2050
  out[pos++] = utc ? Tag.utcTime : Tag.generalizedTime
  out[pos++] = utc ? 13 : 15
  if (!utc) {
    writeTwoDigits(out, pos, (year / 100) | 0)
    pos += 2
  }
  writeTwoDigits(out, pos, year % 100)
  writeTwoDigits(out, pos + 2, date.getUTCMonth() + 1)
  writeTwoDigits(out, pos + 4, date.getUTCDate())
  writeTwoDigits(out, pos + 6, date.getUTCHours())
  writeTwoDigits(out, pos + 8, date.getUTCMinutes())
  writeTwoDigits(out, pos + 10, date.getUTCSeconds())
  out[pos + 12] = 0x5a
  return pos + 13
}

export const timeLength = (date: Date, forceGeneralized = false): number => {
  const year = date.getUTCFullYear()
  return !forceGeneralized && year >= 1950 && year < 2050 ? 15 : 17
}

/** RFC 5280 Time (certificate validity, CRL dates). */
export const x509Time = (date: Date): Bytes => {
  const out = new Uint8Array(timeLength(date))
  writeTime(out, 0, date)
  return out
}

/** GeneralizedTime (OCSP uses it everywhere). */
export const generalizedTime = (date: Date): Bytes => {
  const out = new Uint8Array(17)
  writeTime(out, 0, date, true)
  return out
}

// ---------------------------------------------------------------------------------------------
// Reader

/** Thrown inside the reader only; public functions catch it and return a typed error. */
export class DerDecodeError extends Error {
  override readonly name = "DerDecodeError"
}

export interface DerElement {
  readonly tag: number
  /** Tag, length and content. */
  readonly raw: Bytes
  readonly content: Bytes
}

const fail = (message: string): never => {
  throw new DerDecodeError(message)
}

export class DerReader {
  private pos: number

  constructor(
    private readonly buf: Bytes,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start
  }

  static of(element: DerElement): DerReader {
    return new DerReader(element.content)
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined
  }

  next(what = "element"): DerElement {
    const start = this.pos
    if (start >= this.end) return fail(`${what}: unexpected end of data`)
    const tag = this.buf[start] ?? 0
    if ((tag & 0x1f) === 0x1f) return fail(`${what}: high tag numbers are not supported`)
    let pos = start + 1
    if (pos >= this.end) return fail(`${what}: truncated length`)
    const first = this.buf[pos++] ?? 0
    let length = first
    if (first & 0x80) {
      const count = first & 0x7f
      if (count === 0) return fail(`${what}: indefinite length is not DER`)
      if (count > 4) return fail(`${what}: length too large`)
      if (pos + count > this.end) return fail(`${what}: truncated length`)
      length = 0
      for (let i = 0; i < count; i++) length = length * 256 + (this.buf[pos++] ?? 0)
      if (this.buf[pos - count] === 0 || length < 0x80) return fail(`${what}: non-minimal length`)
    }
    const contentStart = pos
    const contentEnd = contentStart + length
    if (contentEnd > this.end) return fail(`${what}: truncated content`)
    this.pos = contentEnd
    return {
      tag,
      raw: this.buf.subarray(start, contentEnd),
      content: this.buf.subarray(contentStart, contentEnd),
    }
  }

  expect(tag: number, what: string): DerElement {
    const actual = this.peekTag()
    if (actual !== tag) {
      return fail(
        `${what}: expected tag 0x${tag.toString(16)}, got ${actual === undefined ? "end of data" : `0x${actual.toString(16)}`}`,
      )
    }
    return this.next(what)
  }

  optional(tag: number, what: string): DerElement | undefined {
    return this.peekTag() === tag ? this.next(what) : undefined
  }

  finish(what: string): void {
    if (!this.done) fail(`${what}: unexpected trailing data`)
  }
}

/** Reads exactly one element that spans the whole input. */
export const readSingle = (input: Bytes, tag: number, what: string): DerElement => {
  const reader = new DerReader(input)
  const element = reader.expect(tag, what)
  reader.finish(what)
  return element
}

export const children = (element: DerElement, what: string): ReadonlyArray<DerElement> => {
  const reader = DerReader.of(element)
  const out: Array<DerElement> = []
  while (!reader.done) out.push(reader.next(what))
  return out
}

export const decodeObjectIdentifier = (element: DerElement): string => {
  if (element.tag !== Tag.oid) fail("expected an OBJECT IDENTIFIER")
  const content = element.content
  if (content.length === 0 || ((content[content.length - 1] ?? 0) & 0x80) !== 0) fail("malformed OBJECT IDENTIFIER")
  const arcs: Array<bigint> = []
  let value = 0n
  let fresh = true
  for (const byte of content) {
    if (fresh && byte === 0x80) fail("non-minimal OBJECT IDENTIFIER arc")
    value = (value << 7n) | BigInt(byte & 0x7f)
    fresh = false
    if ((byte & 0x80) === 0) {
      arcs.push(value)
      value = 0n
      fresh = true
    }
  }
  const [head, ...rest] = arcs
  if (head === undefined) return fail("malformed OBJECT IDENTIFIER")
  const first = head < 40n ? 0n : head < 80n ? 1n : 2n
  return [first, head - first * 40n, ...rest].map((arc) => arc.toString()).join(".")
}

/** INTEGER content bytes, checked for minimal encoding. */
export const integerContent = (element: DerElement, what: string): Bytes => {
  if (element.tag !== Tag.integer) fail(`${what}: expected an INTEGER`)
  const content = element.content
  if (content.length === 0) fail(`${what}: empty INTEGER`)
  if (content.length > 1) {
    const a = content[0] ?? 0
    const b = content[1] ?? 0
    if ((a === 0 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) fail(`${what}: non-minimal INTEGER`)
  }
  return content
}

export const decodeSmallInteger = (element: DerElement, what: string): number => {
  const content = integerContent(element, what)
  if (content.length > 6 || ((content[0] ?? 0) & 0x80) !== 0) return fail(`${what}: integer out of range`)
  let value = 0
  for (const byte of content) value = value * 256 + byte
  return value
}

export const decodeBoolean = (element: DerElement, what: string): boolean => {
  if (element.tag !== Tag.boolean || element.content.length !== 1) return fail(`${what}: expected a BOOLEAN`)
  return element.content[0] !== 0
}

export interface DecodedBitString {
  readonly unusedBits: number
  readonly bytes: Bytes
}

export const decodeBitString = (element: DerElement, what: string): DecodedBitString => {
  if (element.tag !== Tag.bitString || element.content.length === 0) return fail(`${what}: expected a BIT STRING`)
  const unusedBits = element.content[0] ?? 0
  if (unusedBits > 7 || (unusedBits > 0 && element.content.length === 1)) return fail(`${what}: malformed BIT STRING`)
  return { unusedBits, bytes: element.content.subarray(1) }
}

const twoDigits = (text: string, at: number): number => {
  const a = text.charCodeAt(at) - 0x30
  const b = text.charCodeAt(at + 1) - 0x30
  if (a < 0 || a > 9 || b < 0 || b > 9) return fail("malformed time")
  return a * 10 + b
}

/** UTCTime or GeneralizedTime (seconds optional, fractional seconds allowed, `Z` required). */
export const decodeTime = (element: DerElement, what: string): Date => {
  const text = String.fromCharCode(...element.content)
  let year: number
  let rest: string
  if (element.tag === Tag.utcTime) {
    const yy = twoDigits(text, 0)
    year = yy < 50 ? 2000 + yy : 1900 + yy
    rest = text.slice(2)
  } else if (element.tag === Tag.generalizedTime) {
    year = twoDigits(text, 0) * 100 + twoDigits(text, 2)
    rest = text.slice(4)
  } else {
    return fail(`${what}: expected a time`)
  }
  if (!rest.endsWith("Z") || rest.length < 9) return fail(`${what}: malformed time`)
  const month = twoDigits(rest, 0)
  const day = twoDigits(rest, 2)
  const hour = twoDigits(rest, 4)
  const minute = twoDigits(rest, 6)
  const tail = rest.slice(8, -1)
  let seconds = 0
  let millis = 0
  if (tail.length > 0) {
    seconds = twoDigits(tail, 0)
    const fraction = tail.slice(2)
    if (fraction.length > 0) {
      if (!/^\.[0-9]+$/.test(fraction)) return fail(`${what}: malformed time`)
      millis = Math.floor(Number(`0${fraction}`) * 1000)
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || seconds > 60) {
    return fail(`${what}: malformed time`)
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, seconds, millis))
}

const latin1 = (bytes: Uint8Array): string => {
  let out = ""
  for (const byte of bytes) out += String.fromCharCode(byte)
  return out
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true })

/** The text of a DirectoryString-like value; undefined for non-string types. */
export const decodeString = (element: DerElement): string | undefined => {
  switch (element.tag) {
    case Tag.utf8String:
      try {
        return utf8Decoder.decode(element.content)
      } catch {
        return fail("malformed UTF8String")
      }
    case Tag.printableString:
    case Tag.ia5String:
    case Tag.teletexString:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return latin1(element.content)
    case Tag.bmpString: {
      if (element.content.length % 2 !== 0) return fail("malformed BMPString")
      let out = ""
      for (let i = 0; i < element.content.length; i += 2) {
        out += String.fromCharCode(((element.content[i] ?? 0) << 8) | (element.content[i + 1] ?? 0))
      }
      return out
    }
    case Tag.universalString: {
      if (element.content.length % 4 !== 0) return fail("malformed UniversalString")
      let out = ""
      for (let i = 0; i < element.content.length; i += 4) {
        const view = new DataView(element.content.buffer, element.content.byteOffset + i, 4)
        out += String.fromCodePoint(view.getUint32(0))
      }
      return out
    }
    default:
      return undefined
  }
}

export const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16)
  return out
}

/** Lowercase or uppercase hex of even length → bytes; undefined when it is not hex. */
export const fromHex = (hex: string): Bytes | undefined => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}
