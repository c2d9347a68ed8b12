import { ParseResult, Schema } from "effect"

const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SIMPLE = /^[0-9a-f]{32}$/i

/** The canonical (lowercase, hyphenated) form of a UUID written hyphenated, simple, braced or as a URN. */
const canonicalUuid = (input: string): string | null => {
  let body = input
  if (body.length === 45 && body.startsWith("urn:uuid:")) body = body.slice(9)
  else if (body.length === 38 && body.startsWith("{") && body.endsWith("}")) body = body.slice(1, -1)
  if (HYPHENATED.test(body)) return body.toLowerCase()
  if (SIMPLE.test(input)) {
    const h = input.toLowerCase()
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
  return null
}

/** An `ID` argument that must be a UUID; the failure is `<name> must be a UUID` (api.md §3.3). */
export const UuidArg = (name: string) =>
  Schema.transformOrFail(Schema.String, Schema.String, {
    strict: true,
    decode: (input, _, ast) => {
      const id = canonicalUuid(input)
      return id === null
        ? ParseResult.fail(new ParseResult.Type(ast, input, `${name} must be a UUID`))
        : ParseResult.succeed(id)
    },
    encode: ParseResult.succeed,
  })

/** An optional `ID` argument: absent and null are both null. */
export const OptionalUuidArg = (name: string) =>
  Schema.optionalWith(Schema.NullOr(UuidArg(name)), { default: () => null })
