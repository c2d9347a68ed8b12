import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { decodeJwtHeader } from "../../src/tokens/index.js"
import { rustDebugString, rustFloat } from "../../src/tokens/serdeJson.js"

// The header is decoded the way the reference's serde_json does, so a rejected header is worded
// as the reference words it: `invalid token: JSON error: <serde_json error>`.

const header = (json: string) => decodeJwtHeader(`${Buffer.from(json).toString("base64url")}.e30.sig`)

const jsonError = (json: string): string => {
  const r = header(json)
  if (Either.isRight(r)) return "accepted"
  const prefix = "invalid token: JSON error: "
  expect(r.left.message.startsWith(prefix)).toBe(true)
  return r.left.message.slice(prefix.length)
}

describe("header decoding accepts what serde accepts", () => {
  it("skips unknown members of any shape and reads the known ones", () => {
    const r = header('{"alg":"ES256","x":{"a":[1,-2.5e3,{"b":null}],"c":"\\u00e9\\n"},"kid":"k","typ":null}')
    expect(r).toEqual(Either.right({ alg: "ES256", kid: "k", typ: null }))
  })

  it("accepts the map form of a unit variant and whitespace anywhere", () => {
    expect(header('{ "alg" : { "ES256" : null } , "kid" : "k" }\n')).toEqual(
      Either.right({ alg: "ES256", kid: "k", typ: null }),
    )
  })

  it("decodes escapes, including surrogate pairs", () => {
    const r = header('{"alg":"ES256","kid":"\\ud83d\\ude00\\/\\""}')
    expect(Either.getOrThrow(r).kid).toBe('😀/"')
  })
})

describe("header decoding fails as serde_json fails", () => {
  it("structure", () => {
    expect(jsonError("")).toBe("EOF while parsing a value at line 1 column 0")
    expect(jsonError('{"alg":"ES256"')).toBe("EOF while parsing an object at line 1 column 14")
    expect(jsonError('{"alg":"ES256",}')).toBe("trailing comma at line 1 column 16")
    expect(jsonError('{"alg":"ES256" "kid":"k"}')).toBe("expected `,` or `}` at line 1 column 16")
    expect(jsonError('{"alg" "ES256"}')).toBe("expected `:` at line 1 column 8")
    expect(jsonError("{alg:1}")).toBe("key must be a string at line 1 column 2")
    expect(jsonError('{\n"typ":"JWT"\n}')).toBe("missing field `alg` at line 3 column 1")
  })

  it("types", () => {
    expect(jsonError('"x"')).toBe('invalid type: string "x", expected struct Header at line 1 column 3')
    expect(jsonError("null")).toBe("invalid type: null, expected struct Header at line 1 column 4")
    expect(jsonError('["JWT","ES256"]')).toBe(
      "invalid length 2, expected struct Header with 10 elements at line 1 column 15",
    )
    expect(jsonError('{"alg":"ES256","x5c":["a",1]}')).toBe(
      "invalid type: integer `1`, expected a string at line 1 column 27",
    )
    expect(jsonError('{"alg":"ES256","x5c":"a"}')).toBe(
      'invalid type: string "a", expected a sequence at line 1 column 24',
    )
    expect(jsonError('{"alg":null}')).toBe("expected value at line 1 column 8")
    expect(jsonError('{"alg":{"ES256":1}}')).toBe("invalid type: integer `1`, expected unit at line 1 column 17")
    expect(jsonError('{"alg":"ES256","kid":true}')).toBe(
      "invalid type: boolean `true`, expected a string at line 1 column 25",
    )
  })

  it("literals, numbers and strings", () => {
    expect(jsonError('{"alg":"ES256","kid":nul}')).toBe("expected ident at line 1 column 25")
    expect(jsonError('{"alg":"ES256","x":[1,}')).toBe("expected value at line 1 column 23")
    expect(jsonError('{"alg":"ES256","x":01}')).toBe("invalid number at line 1 column 21")
    expect(jsonError('{"alg":"ES256","x":1.}')).toBe("invalid number at line 1 column 22")
    expect(jsonError('{"alg":"ES256","kid":"\\x"}')).toBe("invalid escape at line 1 column 24")
    expect(jsonError('{"alg":"ES256","kid":"\\ud800"}')).toBe("unexpected end of hex escape at line 1 column 29")
    expect(jsonError('{"alg":"ES256","kid":"\\udc00"}')).toBe(
      "lone leading surrogate in hex escape at line 1 column 28",
    )
    expect(jsonError('{"alg":"ES256","kid":"a\u0001"}')).toBe(
      "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 24",
    )
    expect(jsonError('{"alg":"ES256","kid":"abc')).toBe("EOF while parsing a string at line 1 column 25")
  })
})

describe("Rust formatting helpers", () => {
  it("floats as Rust displays them, with serde's decimal point", () => {
    expect(rustFloat(1.5)).toBe("1.5")
    expect(rustFloat(2000)).toBe("2000.0")
    expect(rustFloat(1e21)).toBe("1000000000000000000000.0")
    expect(rustFloat(1e-7)).toBe("0.0000001")
    expect(rustFloat(-0)).toBe("-0.0")
  })

  it("strings as Rust's Debug prints them", () => {
    expect(rustDebugString('a"b\\c\n\t')).toBe('"a\\"b\\\\c\\n\\t"')
    expect(rustDebugString("\u0001é")).toBe('"\\u{1}é"')
  })
})
