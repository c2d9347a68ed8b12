// A byte-level JSON reader that fails the way the reference does.
//
// The reference decodes the JWT header and claims with `serde_json::from_slice` into fixed Rust
// structs, and clients see the resulting error text inside `invalid token: JSON error: …`
// (api.md §6.4). This module ports the parts of serde_json 1.0.149 (and serde's derive and
// `Unexpected` wording) those two structs exercise: the same decision order, the same error
// codes, and the same `line L column C` positions. JSON.parse would accept the same documents
// but could not say *why* a document is rejected in the reference's words.
//
// Limits (documented, deliberate): an object-valued `jwk` header member is skipped rather than
// decoded (the reference decodes it into its JWK type), and float values in error texts are
// printed from JavaScript's parse, which can differ from serde_json's in the last digit for
// inputs longer than 17 significant digits.

const EOF_LIST = "EOF while parsing a list"
const EOF_OBJECT = "EOF while parsing an object"
const EOF_STRING = "EOF while parsing a string"
const EOF_VALUE = "EOF while parsing a value"
const EXPECTED_COLON = "expected `:`"
const EXPECTED_LIST_COMMA_OR_END = "expected `,` or `]`"
const EXPECTED_OBJECT_COMMA_OR_END = "expected `,` or `}`"
const EXPECTED_IDENT = "expected ident"
const EXPECTED_VALUE = "expected value"
const INVALID_ESCAPE = "invalid escape"
const INVALID_NUMBER = "invalid number"
const NUMBER_OUT_OF_RANGE = "number out of range"
const INVALID_UNICODE = "invalid unicode code point"
const CONTROL_CHARACTER = "control character (\\u0000-\\u001F) found while parsing a string"
const KEY_MUST_BE_A_STRING = "key must be a string"
const LONE_LEADING_SURROGATE = "lone leading surrogate in hex escape"
const TRAILING_COMMA = "trailing comma"
const TRAILING_CHARACTERS = "trailing characters"
const UNEXPECTED_END_OF_HEX_ESCAPE = "unexpected end of hex escape"

/** A serde_json error; `line` 0 means "not positioned yet" (a message from a visitor). */
export class SerdeError {
  constructor(
    readonly code: string,
    readonly line: number,
    readonly column: number,
  ) {}

  toString(): string {
    return this.line === 0 ? this.code : `${this.code} at line ${this.line} column ${this.column}`
  }
}

const custom = (message: string): SerdeError => new SerdeError(message, 0, 0)

const C_QUOTE = 0x22
const C_BACKSLASH = 0x5c
const C_MINUS = 0x2d
const C_PLUS = 0x2b
const C_DOT = 0x2e
const C_COMMA = 0x2c
const C_COLON = 0x3a
const C_LBRACKET = 0x5b
const C_RBRACKET = 0x5d
const C_LBRACE = 0x7b
const C_RBRACE = 0x7d
const C_NEWLINE = 0x0a

const isDigit = (b: number | undefined): b is number => b !== undefined && b >= 0x30 && b <= 0x39
const isExp = (b: number | undefined): boolean => b === 0x65 || b === 0x45

const U64_MAX = (1n << 64n) - 1n
const I64_MIN_MAGNITUDE = 1n << 63n
const I32_MAX = 2147483647

type ParsedNumber =
  | { readonly kind: "u64"; readonly value: bigint }
  | { readonly kind: "i64"; readonly value: bigint }
  | { readonly kind: "f64"; readonly value: number }

const ascii = new TextDecoder("latin1")
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

// ─── serde's wording of unexpected values ────────────────────────────────────────────────────

/** Rust's `Display` for f64 (shortest round-trip digits, never an exponent) plus serde's `.0`. */
export const rustFloat = (x: number): string => {
  if (Number.isNaN(x)) return "NaN"
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf"
  const negative = x < 0 || Object.is(x, -0)
  const [mantissa = "0", exponent = "0"] = Math.abs(x).toExponential().split("e")
  const digits = mantissa.replace(".", "")
  const point = Number(exponent) + 1
  let s: string
  if (point <= 0) s = `0.${"0".repeat(-point)}${digits}`
  else if (point >= digits.length) s = digits + "0".repeat(point - digits.length)
  else s = `${digits.slice(0, point)}.${digits.slice(point)}`
  if (!s.includes(".")) s += ".0"
  return (negative ? "-" : "") + s
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Grapheme_Extend}]/u

/** Rust's `{:?}` for a str: quotes and escapes. */
export const rustDebugString = (s: string): string => {
  let out = '"'
  for (const ch of s) {
    switch (ch) {
      case "\t":
        out += "\\t"
        break
      case "\r":
        out += "\\r"
        break
      case "\n":
        out += "\\n"
        break
      case "\\":
        out += "\\\\"
        break
      case '"':
        out += '\\"'
        break
      case "\0":
        out += "\\0"
        break
      default:
        out += NON_PRINTABLE.test(ch) ? `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}` : ch
    }
  }
  return `${out}"`
}

const unexpectedNumber = (n: ParsedNumber): string =>
  n.kind === "f64" ? `floating point \`${rustFloat(n.value)}\`` : `integer \`${n.value.toString()}\``

const invalidType = (unexpected: string, expected: string): SerdeError =>
  custom(`invalid type: ${unexpected}, expected ${expected}`)

const oneOf = (names: ReadonlyArray<string>): string => {
  if (names.length === 1) return `\`${names[0]}\``
  if (names.length === 2) return `\`${names[0]}\` or \`${names[1]}\``
  return `one of ${names.map((n) => `\`${n}\``).join(", ")}`
}

// ─── The reader ──────────────────────────────────────────────────────────────────────────────

/** One field of a Rust struct, in declaration order. */
export interface FieldSpec<V> {
  readonly name: string
  /** An `Option<_>` field: may be absent (→ null) and accepts `null`. */
  readonly optional: boolean
  readonly decode: (r: Reader) => V
}

export class Reader {
  index = 0
  constructor(private readonly s: Uint8Array) {}

  private peek(): number | undefined {
    return this.s[this.index]
  }

  private next(): number | undefined {
    if (this.index < this.s.length) return this.s[this.index++]
    return undefined
  }

  private eat(): void {
    this.index++
  }

  private positionError(code: string, i: number): SerdeError {
    let startOfLine = 0
    let line = 1
    for (let k = 0; k < i; k++) {
      if (this.s[k] === C_NEWLINE) {
        line++
        startOfLine = k + 1
      }
    }
    return new SerdeError(code, line, i - startOfLine)
  }

  /** Error caused by a byte already consumed. */
  error(code: string): SerdeError {
    return this.positionError(code, this.index)
  }

  /** Error caused by the byte under the cursor. */
  peekError(code: string): SerdeError {
    return this.positionError(code, Math.min(this.s.length, this.index + 1))
  }

  /** serde_json's `fix_position`: position a visitor's message at the cursor. */
  fix(e: SerdeError): SerdeError {
    return e.line === 0 ? this.error(e.code) : e
  }

  private ws(): number | undefined {
    for (;;) {
      const b = this.peek()
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) this.eat()
      else return b
    }
  }

  private parseIdent(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      const b = this.next()
      if (b === undefined) throw this.error(EOF_VALUE)
      if (b !== rest.charCodeAt(k)) throw this.error(EXPECTED_IDENT)
    }
  }

  // ── strings ──

  private skipToEscape(): void {
    while (this.index < this.s.length) {
      const b = this.s[this.index] ?? 0
      if (b === C_QUOTE || b === C_BACKSLASH || b < 0x20) return
      this.index++
    }
  }

  private decodeHexEscape(): number {
    if (this.s.length - this.index < 4) {
      this.index = this.s.length
      throw this.error(EOF_STRING)
    }
    let n = 0
    let ok = true
    for (let k = 0; k < 4; k++) {
      const b = this.s[this.index + k] ?? 0
      const v =
        b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1
      if (v < 0) ok = false
      n = (n << 4) | (v & 0xf)
    }
    this.index += 4
    if (!ok) throw this.error(INVALID_ESCAPE)
    return n
  }

  private static pushCodePoint(n: number, out: Array<number>): void {
    if (n < 0x80) out.push(n)
    else if (n < 0x800) out.push(0xc0 | (n >> 6), 0x80 | (n & 0x3f))
    else if (n < 0x10000) out.push(0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f))
    else out.push(0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f))
  }

  private parseUnicodeEscape(out: Array<number>): void {
    const n = this.decodeHexEscape()
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error(LONE_LEADING_SURROGATE)
    if (n < 0xd800 || n > 0xdbff) {
      Reader.pushCodePoint(n, out)
      return
    }
    const backslash = this.peek()
    if (backslash === undefined) throw this.error(EOF_STRING)
    this.eat()
    if (backslash !== C_BACKSLASH) throw this.error(UNEXPECTED_END_OF_HEX_ESCAPE)
    const u = this.peek()
    if (u === undefined) throw this.error(EOF_STRING)
    this.eat()
    if (u !== 0x75) throw this.error(UNEXPECTED_END_OF_HEX_ESCAPE)
    const n2 = this.decodeHexEscape()
    if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error(LONE_LEADING_SURROGATE)
    Reader.pushCodePoint((((n - 0xd800) << 10) | (n2 - 0xdc00)) + 0x10000, out)
  }

  private parseEscape(out: Array<number>): void {
    const ch = this.next()
    if (ch === undefined) throw this.error(EOF_STRING)
    switch (ch) {
      case 0x22:
      case 0x5c:
      case 0x2f:
        out.push(ch)
        return
      case 0x62:
        out.push(0x08)
        return
      case 0x66:
        out.push(0x0c)
        return
      case 0x6e:
        out.push(0x0a)
        return
      case 0x72:
        out.push(0x0d)
        return
      case 0x74:
        out.push(0x09)
        return
      case 0x75:
        this.parseUnicodeEscape(out)
        return
      default:
        throw this.error(INVALID_ESCAPE)
    }
  }

  /** After the opening quote: the string's contents, validated as UTF-8. */
  parseStr(): string {
    const out: Array<number> = []
    let start = this.index
    for (;;) {
      this.skipToEscape()
      if (this.index === this.s.length) throw this.error(EOF_STRING)
      const b = this.s[this.index]
      if (b === C_QUOTE) {
        for (let k = start; k < this.index; k++) out.push(this.s[k] ?? 0)
        this.index++
        try {
          return fatalUtf8.decode(Uint8Array.from(out))
        } catch {
          throw this.error(INVALID_UNICODE)
        }
      }
      if (b === C_BACKSLASH) {
        for (let k = start; k < this.index; k++) out.push(this.s[k] ?? 0)
        this.index++
        this.parseEscape(out)
        start = this.index
      } else {
        this.index++
        throw this.error(CONTROL_CHARACTER)
      }
    }
  }

  private ignoreEscape(): void {
    const ch = this.next()
    if (ch === undefined) throw this.error(EOF_STRING)
    if (ch === 0x75) this.decodeHexEscape()
    else if (![0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(ch)) throw this.error(INVALID_ESCAPE)
  }

  private ignoreStr(): void {
    for (;;) {
      this.skipToEscape()
      if (this.index === this.s.length) throw this.error(EOF_STRING)
      const b = this.s[this.index]
      if (b === C_QUOTE) {
        this.index++
        return
      }
      if (b !== C_BACKSLASH) throw this.error(CONTROL_CHARACTER)
      this.index++
      this.ignoreEscape()
    }
  }

  // ── numbers ──

  /** `parse_integer` and what follows it; the sign, if any, is already consumed. */
  private parseNumber(positive: boolean): ParsedNumber {
    const start = this.index
    let zeroSignificand = true
    const first = this.next()
    if (first === undefined) throw this.error(EOF_VALUE)
    if (first === 0x30) {
      if (isDigit(this.peek())) throw this.peekError(INVALID_NUMBER)
    } else if (first >= 0x31 && first <= 0x39) {
      zeroSignificand = false
      while (isDigit(this.peek())) this.eat()
    } else {
      throw this.error(INVALID_NUMBER)
    }
    const intEnd = this.index
    let isFloat = false
    if (this.peek() === C_DOT) {
      isFloat = true
      this.eat()
      let digits = 0
      for (let b = this.peek(); isDigit(b); b = this.peek()) {
        if (b !== 0x30) zeroSignificand = false
        this.eat()
        digits++
      }
      if (digits === 0) {
        throw this.peekError(this.peek() === undefined ? EOF_VALUE : INVALID_NUMBER)
      }
    }
    if (isExp(this.peek())) {
      isFloat = true
      this.eat()
      const sign = this.peek()
      let positiveExp = true
      if (sign === C_PLUS || sign === C_MINUS) {
        positiveExp = sign === C_PLUS
        this.eat()
      }
      const d = this.next()
      if (d === undefined) throw this.error(EOF_VALUE)
      if (!isDigit(d)) throw this.error(INVALID_NUMBER)
      let exp = d - 0x30
      let overflowed = false
      for (let b = this.peek(); isDigit(b); b = this.peek()) {
        this.eat()
        if (overflowed) continue
        const digit = b - 0x30
        if (exp > Math.floor(I32_MAX / 10) || (exp === Math.floor(I32_MAX / 10) && digit > I32_MAX % 10)) {
          if (!zeroSignificand && positiveExp) throw this.error(NUMBER_OUT_OF_RANGE)
          overflowed = true
        } else {
          exp = exp * 10 + digit
        }
      }
    }
    const text = ascii.decode(this.s.subarray(start, this.index))
    if (!isFloat) {
      const magnitude = BigInt(ascii.decode(this.s.subarray(start, intEnd)))
      if (positive && magnitude <= U64_MAX) return { kind: "u64", value: magnitude }
      if (!positive && magnitude !== 0n && magnitude <= I64_MIN_MAGNITUDE) return { kind: "i64", value: -magnitude }
    }
    const value = Number(text)
    if (!Number.isFinite(value)) throw this.error(NUMBER_OUT_OF_RANGE)
    return { kind: "f64", value: positive ? value : -value }
  }

  private ignoreInteger(): void {
    const b = this.next() ?? 0
    if (b === 0x30) {
      if (isDigit(this.peek())) throw this.peekError(INVALID_NUMBER)
    } else if (b >= 0x31 && b <= 0x39) {
      while (isDigit(this.peek())) this.eat()
    } else {
      throw this.error(INVALID_NUMBER)
    }
    if (this.peek() === C_DOT) {
      this.eat()
      let any = false
      while (isDigit(this.peek())) {
        this.eat()
        any = true
      }
      if (!any) throw this.peekError(INVALID_NUMBER)
    }
    if (isExp(this.peek())) {
      this.eat()
      const sign = this.peek()
      if (sign === C_PLUS || sign === C_MINUS) this.eat()
      if (!isDigit(this.next())) throw this.error(INVALID_NUMBER)
      while (isDigit(this.peek())) this.eat()
    }
  }

  // ── generic values ──

  /** serde_json's `ignore_value`: validates and skips one value of any shape, iteratively. */
  ignoreValue(): void {
    const frames: Array<number> = []
    let enclosing: number | undefined
    for (;;) {
      const peek = this.ws()
      if (peek === undefined) throw this.peekError(EOF_VALUE)
      let frame: number | undefined
      switch (peek) {
        case 0x6e:
          this.eat()
          this.parseIdent("ull")
          break
        case 0x74:
          this.eat()
          this.parseIdent("rue")
          break
        case 0x66:
          this.eat()
          this.parseIdent("alse")
          break
        case C_MINUS:
          this.eat()
          this.ignoreInteger()
          break
        case C_QUOTE:
          this.eat()
          this.ignoreStr()
          break
        case C_LBRACKET:
        case C_LBRACE:
          if (enclosing !== undefined) frames.push(enclosing)
          enclosing = undefined
          this.eat()
          frame = peek
          break
        default:
          if (isDigit(peek)) this.ignoreInteger()
          else throw this.peekError(EXPECTED_VALUE)
      }
      let acceptComma: boolean
      let current: number
      if (frame !== undefined) {
        acceptComma = false
        current = frame
      } else if (enclosing !== undefined) {
        acceptComma = true
        current = enclosing
        enclosing = undefined
      } else {
        const popped = frames.pop()
        if (popped === undefined) return
        acceptComma = true
        current = popped
      }
      for (;;) {
        const b = this.ws()
        if (b === C_COMMA && acceptComma) {
          this.eat()
          break
        }
        if ((b === C_RBRACKET && current === C_LBRACKET) || (b === C_RBRACE && current === C_LBRACE)) {
          this.eat()
          const popped = frames.pop()
          if (popped === undefined) return
          current = popped
          acceptComma = true
          continue
        }
        if (b === undefined) throw this.peekError(current === C_LBRACKET ? EOF_LIST : EOF_OBJECT)
        if (acceptComma) {
          throw this.peekError(current === C_LBRACKET ? EXPECTED_LIST_COMMA_OR_END : EXPECTED_OBJECT_COMMA_OR_END)
        }
        break
      }
      if (current === C_LBRACE) {
        const q = this.ws()
        if (q === C_QUOTE) this.eat()
        else if (q === undefined) throw this.peekError(EOF_OBJECT)
        else throw this.peekError(KEY_MUST_BE_A_STRING)
        this.ignoreStr()
        const colon = this.ws()
        if (colon === C_COLON) this.eat()
        else if (colon === undefined) throw this.peekError(EOF_OBJECT)
        else throw this.peekError(EXPECTED_COLON)
      }
      enclosing = current
    }
  }

  /** `peek_invalid_type`: consume the offending value and describe it. */
  private peekInvalidType(expected: string): SerdeError {
    let err: SerdeError
    try {
      const b = this.peek() ?? 0
      switch (b) {
        case 0x6e:
          this.eat()
          this.parseIdent("ull")
          err = invalidType("null", expected)
          break
        case 0x74:
          this.eat()
          this.parseIdent("rue")
          err = invalidType("boolean `true`", expected)
          break
        case 0x66:
          this.eat()
          this.parseIdent("alse")
          err = invalidType("boolean `false`", expected)
          break
        case C_MINUS:
          this.eat()
          err = invalidType(unexpectedNumber(this.parseNumber(false)), expected)
          break
        case C_QUOTE:
          this.eat()
          err = invalidType(`string ${rustDebugString(this.parseStr())}`, expected)
          break
        case C_LBRACKET:
          err = invalidType("sequence", expected)
          break
        case C_LBRACE:
          err = invalidType("map", expected)
          break
        default:
          if (isDigit(b)) err = invalidType(unexpectedNumber(this.parseNumber(true)), expected)
          else return this.peekError(EXPECTED_VALUE)
      }
    } catch (e) {
      if (e instanceof SerdeError) return e
      throw e
    }
    return this.fix(err)
  }

  private parseObjectColon(): void {
    const b = this.ws()
    if (b === C_COLON) this.eat()
    else if (b === undefined) throw this.peekError(EOF_OBJECT)
    else throw this.peekError(EXPECTED_COLON)
  }

  private endSeq(): void {
    const b = this.ws()
    if (b === C_RBRACKET) {
      this.eat()
      return
    }
    if (b === C_COMMA) {
      this.eat()
      throw this.peekError(this.ws() === C_RBRACKET ? TRAILING_COMMA : TRAILING_CHARACTERS)
    }
    if (b === undefined) throw this.peekError(EOF_LIST)
    throw this.peekError(TRAILING_CHARACTERS)
  }

  private endMap(): void {
    const b = this.ws()
    if (b === C_RBRACE) {
      this.eat()
      return
    }
    if (b === C_COMMA) throw this.peekError(TRAILING_COMMA)
    if (b === undefined) throw this.peekError(EOF_OBJECT)
    throw this.peekError(TRAILING_CHARACTERS)
  }

  /** Runs a visitor, then the closing check; the visitor's error wins, as in serde_json. */
  private closing<T>(visit: () => T, end: () => void): T {
    let result: { ok: true; value: T } | { ok: false; error: SerdeError }
    try {
      result = { ok: true, value: visit() }
    } catch (e) {
      if (!(e instanceof SerdeError)) throw e
      result = { ok: false, error: e }
    }
    let endError: SerdeError | undefined
    try {
      end()
    } catch (e) {
      if (!(e instanceof SerdeError)) throw e
      endError = e
    }
    if (!result.ok) throw this.fix(result.error)
    if (endError !== undefined) throw this.fix(endError)
    return result.value
  }

  // ── typed deserializers ──

  /** `deserialize_str` with a visitor that may reject the string (its message gets positioned). */
  str<T>(expected: string, visit: (s: string) => T): T {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    if (b !== C_QUOTE) throw this.peekInvalidType(expected)
    this.eat()
    const s = this.parseStr()
    try {
      return visit(s)
    } catch (e) {
      if (e instanceof SerdeError) throw this.fix(e)
      throw e
    }
  }

  string(): string {
    return this.str("a string", (s) => s)
  }

  /** `deserialize_option`: `null` → null, anything else → the inner value. */
  option<T>(inner: (r: Reader) => T): T | null {
    if (this.ws() === 0x6e) {
      this.eat()
      this.parseIdent("ull")
      return null
    }
    return inner(this)
  }

  /** A `u64`/`usize` through `deserialize_number`. */
  u64(expected: string): bigint {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    let n: ParsedNumber
    if (b === C_MINUS) {
      this.eat()
      n = this.parseNumber(false)
    } else if (isDigit(b)) {
      n = this.parseNumber(true)
    } else {
      throw this.peekInvalidType(expected)
    }
    if (n.kind === "u64") return n.value
    if (n.kind === "i64") {
      if (n.value >= 0n) return n.value
      throw this.fix(custom(`invalid value: ${unexpectedNumber(n)}, expected ${expected}`))
    }
    throw this.fix(invalidType(unexpectedNumber(n), expected))
  }

  /** `Vec<String>` through `deserialize_seq`. */
  stringSeq(): ReadonlyArray<string> {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    if (b !== C_LBRACKET) throw this.peekInvalidType("a sequence")
    this.eat()
    return this.closing(
      () => {
        const out: Array<string> = []
        let first = true
        for (;;) {
          const p = this.ws()
          if (p === undefined) throw this.peekError(EOF_LIST)
          if (p === C_RBRACKET) return out
          if (first) first = false
          else if (p === C_COMMA) {
            this.eat()
            const q = this.ws()
            if (q === C_RBRACKET) throw this.peekError(TRAILING_COMMA)
            if (q === undefined) throw this.peekError(EOF_VALUE)
          } else throw this.peekError(EXPECTED_LIST_COMMA_OR_END)
          out.push(this.string())
        }
      },
      () => this.endSeq(),
    )
  }

  /** `deserialize_unit` (the `null` of a unit enum variant written as `{"X": null}`). */
  private unit(): void {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    if (b !== 0x6e) throw this.peekInvalidType("unit")
    this.eat()
    this.parseIdent("ull")
  }

  /** A fieldless Rust enum (`deserialize_enum`): `"Variant"` or `{"Variant": null}`. */
  unitEnum<V extends string>(variants: ReadonlyArray<V>): V {
    const identify = (s: string): V => {
      const found = variants.find((v) => v === s)
      if (found === undefined) throw custom(`unknown variant \`${s}\`, expected ${oneOf(variants)}`)
      return found
    }
    const b = this.ws()
    if (b === C_QUOTE) return this.str("variant identifier", identify)
    if (b === C_LBRACE) {
      this.eat()
      const variant = this.str("variant identifier", identify)
      this.parseObjectColon()
      this.unit()
      const close = this.ws()
      if (close === C_RBRACE) {
        this.eat()
        return variant
      }
      throw this.error(close === undefined ? EOF_OBJECT : EXPECTED_VALUE)
    }
    if (b === undefined) throw this.peekError(EOF_VALUE)
    throw this.peekError(EXPECTED_VALUE)
  }

  /** A value the reference decodes into a struct we do not model: checked as a map and skipped. */
  opaqueStruct(name: string): null {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    if (b !== C_LBRACE) throw this.peekInvalidType(`struct ${name}`)
    this.ignoreValue()
    return null
  }

  /** A derived struct: a JSON object (by name) or array (by position). */
  struct<V>(name: string, fields: ReadonlyArray<FieldSpec<V>>): Map<string, V | null> {
    const b = this.ws()
    if (b === undefined) throw this.peekError(EOF_VALUE)
    if (b === C_LBRACE) {
      this.eat()
      return this.closing(
        () => this.visitMap(fields),
        () => this.endMap(),
      )
    }
    if (b === C_LBRACKET) {
      this.eat()
      return this.closing(
        () => this.visitSeq(name, fields),
        () => this.endSeq(),
      )
    }
    throw this.peekInvalidType(`struct ${name}`)
  }

  private visitMap<V>(fields: ReadonlyArray<FieldSpec<V>>): Map<string, V | null> {
    const values = new Map<string, V | null>()
    let first = true
    for (;;) {
      const p = this.ws()
      if (p === undefined) throw this.peekError(EOF_OBJECT)
      if (p === C_RBRACE) break
      if (first) {
        first = false
        if (p !== C_QUOTE) throw this.peekError(KEY_MUST_BE_A_STRING)
      } else if (p === C_COMMA) {
        this.eat()
        const q = this.ws()
        if (q === C_RBRACE) throw this.peekError(TRAILING_COMMA)
        if (q === undefined) throw this.peekError(EOF_VALUE)
        if (q !== C_QUOTE) throw this.peekError(KEY_MUST_BE_A_STRING)
      } else {
        throw this.peekError(EXPECTED_OBJECT_COMMA_OR_END)
      }
      this.eat()
      const key = this.parseStr()
      const field = fields.find((f) => f.name === key)
      if (field === undefined) {
        this.parseObjectColon()
        this.ignoreValue()
        continue
      }
      if (values.has(field.name)) throw custom(`duplicate field \`${field.name}\``)
      this.parseObjectColon()
      values.set(field.name, field.optional ? this.option(field.decode) : field.decode(this))
    }
    for (const f of fields) {
      if (!values.has(f.name)) {
        if (!f.optional) throw custom(`missing field \`${f.name}\``)
        values.set(f.name, null)
      }
    }
    return values
  }

  private visitSeq<V>(name: string, fields: ReadonlyArray<FieldSpec<V>>): Map<string, V | null> {
    const values = new Map<string, V | null>()
    const expecting = `struct ${name} with ${fields.length} element${fields.length === 1 ? "" : "s"}`
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]
      if (f === undefined) break
      const p = this.ws()
      if (p === undefined) throw this.peekError(EOF_LIST)
      if (p === C_RBRACKET) throw custom(`invalid length ${i}, expected ${expecting}`)
      if (i > 0) {
        if (p !== C_COMMA) throw this.peekError(EXPECTED_LIST_COMMA_OR_END)
        this.eat()
        const q = this.ws()
        if (q === C_RBRACKET) throw this.peekError(TRAILING_COMMA)
        if (q === undefined) throw this.peekError(EOF_VALUE)
      }
      values.set(f.name, f.optional ? this.option(f.decode) : f.decode(this))
    }
    return values
  }

  /** `Deserializer::end`: only whitespace may follow the value. */
  end(): void {
    if (this.ws() !== undefined) throw this.peekError(TRAILING_CHARACTERS)
  }
}

/** `serde_json::from_slice` for one derived struct; the error text is serde_json's `Display`. */
export const fromSlice = <V>(
  bytes: Uint8Array,
  name: string,
  fields: ReadonlyArray<FieldSpec<V>>,
): { readonly ok: true; readonly value: Map<string, V | null> } | { readonly ok: false; readonly error: string } => {
  const reader = new Reader(bytes)
  try {
    const value = reader.struct(name, fields)
    reader.end()
    return { ok: true, value }
  } catch (e) {
    if (e instanceof SerdeError) return { ok: false, error: e.toString() }
    throw e
  }
}
