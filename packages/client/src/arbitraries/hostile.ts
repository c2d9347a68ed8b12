import { FastCheck as fc } from "effect"
import type { Json } from "../Json.js"

// Values a careless or hostile caller sends where a well-formed one is expected. Built on effect's
// bundled fast-check, the one `Arbitrary.make` produces arbitraries for.

/** Strings that look like a UUID and are not one (or are one written in a form the contract may refuse). */
export const malformedUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "0",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000",
    "00000000-0000-0000-0000-0000000000001",
    "g0000000-0000-0000-0000-000000000001",
    "00000000_0000_0000_0000_000000000001",
    "{00000000-0000-0000-0000-000000000001",
    "urn:uuid:",
    "00000000-0000-0000-0000-000000000001\u0000",
    " 00000000-0000-0000-0000-000000000001",
    "'; drop table entities; --",
  ),
  fc.uuid().map((u) => u.replace(/-/g, "")),
  fc.uuid().map((u) => u.slice(0, 35)),
  fc.uuid().map((u) => `${u}x`),
  fc.string({ maxLength: 40 }),
)

/** Long strings: from a few kilobytes to a tenth of the default GraphQL body limit. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("a", "é", "𝔸", "\u0000", "%", "\\", '"', " ", "ö\u0301"),
    fc.integer({ min: 2_000, max: 25_000 }),
  )
  .map(([unit, n]) => unit.repeat(n))

/** Odd but short strings: control characters, unpaired surrogates, SQL and LIKE metacharacters. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("\u0000", "\ud800", "\udfff", "%", "_", "\\", "'", "%_\\'", "\r\n", "\u202e", "null", "undefined"),
  fc.string({ unit: "binary", maxLength: 30 }),
)

/** JSON nested `depth` levels deep, as arrays or objects. */
export const nested = (depth: number, shape: "array" | "object"): Json => {
  let v: Json = "leaf"
  for (let i = 0; i < depth; i++) v = shape === "array" ? [v] : { k: v }
  return v
}

/** Deeply nested JSON, from a little to a great deal deeper than any real document. */
export const deepNesting: fc.Arbitrary<Json> = fc
  .tuple(fc.integer({ min: 50, max: 1_000 }), fc.constantFrom<"array" | "object">("array", "object"))
  .map(([depth, shape]) => nested(depth, shape))

/** Numbers a typed field should refuse or clamp. */
export const oddNumber: fc.Arbitrary<number> = fc.constantFrom(
  -1,
  0,
  -0,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  1.5,
  1e308,
)

/** fast-check's JSON objects may hold `undefined` members; JSON has none. */
const toJson = (v: fc.JsonValue): Json => {
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v !== "object" || v === null) return v
  const out: Record<string, Json> = {}
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x)
  return out
}

/** Any JSON value: what a field of the wrong type receives. */
export const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }).map(toJson)

/** A value of the wrong type or shape for whatever field it replaces. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: malformedUuid },
  { weight: 2, arbitrary: anyJson },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, [], {}, "") },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepNesting },
)

/** Field names no schema declares, including the ones that poison plain objects. */
export const unknownFieldName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "id ", "", "$where", "tenant_id"),
  fc.string({ minLength: 1, maxLength: 12 }),
)
