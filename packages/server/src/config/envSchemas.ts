import type { ListenAddress } from "@atom/domain/config"
import { ParseResult, Schema } from "effect"

const TRUE = new Set(["1", "true", "yes", "on"])
const FALSE = new Set(["0", "false", "no", "off"])

/** `1/true/yes/on` and `0/false/no/off`, case-insensitive (spec §6.1). */
export const BooleanFromEnv = Schema.transformOrFail(Schema.String, Schema.Boolean, {
  strict: true,
  decode: (s, _, ast) => {
    const v = s.trim().toLowerCase()
    if (TRUE.has(v)) return ParseResult.succeed(true)
    if (FALSE.has(v)) return ParseResult.succeed(false)
    return ParseResult.fail(new ParseResult.Type(ast, s))
  },
  encode: (b) => ParseResult.succeed(b ? "true" : "false"),
}).annotations({ description: "a boolean (true/false, 1/0, yes/no, on/off)" })

const IntFromEnv = Schema.compose(Schema.Trim, Schema.NumberFromString).pipe(Schema.int())

export const PositiveIntFromEnv = IntFromEnv.pipe(Schema.positive()).annotations({
  description: "a whole number greater than 0",
})

export const NonNegativeIntFromEnv = IntFromEnv.pipe(Schema.nonNegative()).annotations({
  description: "a whole number, 0 or more",
})

/** A fraction: a number from 0 to 1 (`0.25`, `1`). */
export const FractionFromEnv = Schema.compose(Schema.Trim, Schema.NumberFromString)
  .pipe(Schema.between(0, 1))
  .annotations({ description: "a number from 0 to 1" })

export const PortFromEnv = IntFromEnv.pipe(Schema.between(0, 65535))

/** `host:port`, `[v6]:port` or `:port`. */
export const ListenAddressFromEnv = Schema.transformOrFail(
  Schema.String,
  Schema.Struct({ host: Schema.String, port: Schema.Number }),
  {
    strict: true,
    decode: (s, _, ast) => {
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim())
      const port = m ? Number(m[3]) : Number.NaN
      if (!m || port > 65535) return ParseResult.fail(new ParseResult.Type(ast, s))
      const host = m[1] ?? (m[2] === "" || m[2] === undefined ? "0.0.0.0" : m[2])
      return ParseResult.succeed({ host, port })
    },
    encode: (a: ListenAddress) => ParseResult.succeed(`${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`),
  },
).annotations({ description: "an address like 0.0.0.0:8080" })

export const UrlFromEnv = Schema.String.pipe(
  Schema.filter((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)),
).annotations({ description: "an http(s) URL" })

export const UuidFromEnv = Schema.compose(Schema.Trim, Schema.UUID).annotations({ description: "a UUID" })

export const NonEmptyFromEnv = Schema.Trim.pipe(Schema.nonEmptyString()).annotations({
  description: "a non-empty string",
})

export const CommaList = Schema.transform(Schema.String, Schema.Array(Schema.String), {
  strict: true,
  decode: (s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  encode: (xs) => xs.join(","),
})
