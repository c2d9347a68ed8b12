import { Either } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  compileConditions,
  evaluateConditions,
  jsonEquals,
  MISSING_PATH,
  parseRfc3339,
  resolvePath,
  validateConditions,
} from "../src/conditions/index.js"

const doc = {
  entity: { id: "e1", kind: "human", tenant_id: null, status: "active", attributes: { department: "ops", level: 3 } },
  object: {
    kind: "resource",
    type: "resource:channel",
    attributes: {
      tags: ["production", "eu"],
      temperature: 42,
      meta: { owner: "a", zone: 1 },
      empty: {},
      nothing: null,
    },
  },
  tenant: { id: "t1", status: "active", attributes: { tier: "gold" } },
  context: { mfa: true, mfaText: "true", time: "2026-04-29T12:00:00Z", count: 1.5, list: [1, 2, 3] },
}

const holds = (conditions: unknown): boolean => evaluateConditions(conditions, doc)

describe("condition paths", () => {
  it("walks object keys with dots", () => {
    expect(resolvePath(doc, ["object", "attributes", "temperature"])).toBe(42)
    expect(resolvePath(doc, ["object", "attributes", "missing"])).toBe(MISSING_PATH)
  })

  it("never indexes arrays", () => {
    expect(resolvePath(doc, ["context", "list", "0"])).toBe(MISSING_PATH)
    expect(holds({ "context.list.0": 1 })).toBe(false)
  })

  it("treats a present null as present but not descendable", () => {
    expect(holds({ "entity.tenant_id": null })).toBe(true)
    expect(holds({ "object.attributes.nothing": null })).toBe(true)
    expect(holds({ "entity.tenant_id.x": null })).toBe(false)
  })

  it("fails the whole set when any path is missing, even for neq", () => {
    expect(holds({ "context.mfa": true, "tenant.attributes.missing": "value" })).toBe(false)
    expect(holds({ "context.nope": { neq: "x" } })).toBe(false)
  })

  it("holds for {} and requires every entry", () => {
    expect(holds({})).toBe(true)
    expect(holds({ "context.mfa": true, "entity.attributes.department": "ops" })).toBe(true)
    expect(holds({ "context.mfa": true, "entity.attributes.department": "sales" })).toBe(false)
  })

  it("fails closed for stored values that are not objects", () => {
    for (const stored of ["oops", 1, true, null, [], [{ "context.mfa": true }]]) {
      expect(holds(stored)).toBe(false)
      expect(compileConditions(stored).constant).toBe(false)
    }
  })
})

describe("expectations", () => {
  it("is type-strict for non-object expectations", () => {
    expect(holds({ "context.mfa": true })).toBe(true)
    expect(holds({ "context.mfa": "true" })).toBe(false)
    expect(holds({ "context.mfaText": true })).toBe(false)
    expect(holds({ "object.attributes.temperature": "42" })).toBe(false)
    expect(holds({ "object.attributes.temperature": 42 })).toBe(true)
    expect(holds({ "object.attributes.tags": ["production", "eu"] })).toBe(true)
    expect(holds({ "object.attributes.tags": ["eu", "production"] })).toBe(false)
  })

  it("matches {} only against an empty object", () => {
    expect(holds({ "object.attributes.empty": {} })).toBe(true)
    expect(holds({ "object.attributes.meta": {} })).toBe(false)
    expect(holds({ "context.list": {} })).toBe(false)
  })

  it("reads a non-empty object as an operator map; unknown operators never match", () => {
    expect(holds({ "object.attributes.meta": { owner: "a", zone: 1 } })).toBe(false)
    expect(holds({ "object.attributes.meta": { eq: { zone: 1, owner: "a" } } })).toBe(true)
    expect(holds({ "context.mfa": { eq: true, frobnicate: 1 } })).toBe(false)
    expect(compileConditions({ "context.mfa": { like: "x" } }).constant).toBe(false)
  })

  it("requires every operator of a map", () => {
    expect(holds({ "object.attributes.temperature": { gte: 40, lt: 50 } })).toBe(true)
    expect(holds({ "object.attributes.temperature": { gte: 40, lt: 42 } })).toBe(false)
  })
})

describe("operators", () => {
  it("eq / neq", () => {
    expect(holds({ "entity.kind": { eq: "human" } })).toBe(true)
    expect(holds({ "entity.kind": { neq: "human" } })).toBe(false)
    expect(holds({ "entity.kind": { neq: "device" } })).toBe(true)
    expect(holds({ "context.mfa": { neq: "true" } })).toBe(true)
  })

  it("contains: substring, array element, object key, object subset", () => {
    expect(holds({ "object.type": { contains: "chan" } })).toBe(true)
    expect(holds({ "object.type": { contains: "rule" } })).toBe(false)
    expect(holds({ "object.attributes.tags": { contains: "production" } })).toBe(true)
    expect(holds({ "object.attributes.tags": { contains: "prod" } })).toBe(false)
    expect(holds({ "context.list": { contains: 2 } })).toBe(true)
    expect(holds({ "context.list": { contains: "2" } })).toBe(false)
    expect(holds({ "object.attributes.meta": { contains: "owner" } })).toBe(true)
    expect(holds({ "object.attributes.meta": { contains: "colour" } })).toBe(false)
    expect(holds({ "object.attributes.meta": { contains: { zone: 1 } } })).toBe(true)
    expect(holds({ "object.attributes.meta": { contains: { zone: 2 } } })).toBe(false)
    expect(holds({ "object.attributes.temperature": { contains: 4 } })).toBe(false)
    expect(holds({ "object.type": { contains: 1 } })).toBe(false)
  })

  it("in: the operand array holds the actual value", () => {
    expect(holds({ "entity.attributes.department": { in: ["ops", "security"] } })).toBe(true)
    expect(holds({ "entity.attributes.department": { in: ["security"] } })).toBe(false)
    expect(holds({ "entity.attributes.level": { in: ["3"] } })).toBe(false)
    expect(holds({ "entity.attributes.level": { in: [3] } })).toBe(true)
    expect(holds({ "context.list": { in: [[1, 2, 3]] } })).toBe(true)
    expect(holds({ "entity.attributes.department": { in: "ops" } })).toBe(false)
  })

  it("gt / gte / lt / lte on numbers", () => {
    expect(holds({ "object.attributes.temperature": { gt: 41 } })).toBe(true)
    expect(holds({ "object.attributes.temperature": { gt: 42 } })).toBe(false)
    expect(holds({ "object.attributes.temperature": { gte: 42 } })).toBe(true)
    expect(holds({ "object.attributes.temperature": { gte: 50 } })).toBe(false)
    expect(holds({ "object.attributes.temperature": { lt: 42.5 } })).toBe(true)
    expect(holds({ "object.attributes.temperature": { lt: 42 } })).toBe(false)
    expect(holds({ "object.attributes.temperature": { lte: 42 } })).toBe(true)
    expect(holds({ "context.count": { lte: 1 } })).toBe(false)
  })

  it("gt / gte / lt / lte on RFC 3339 timestamps, else false", () => {
    expect(holds({ "context.time": { gte: "2026-01-01T00:00:00Z" } })).toBe(true)
    expect(holds({ "context.time": { lt: "2026-01-01T00:00:00Z" } })).toBe(false)
    expect(holds({ "context.time": { gt: "2026-04-29T13:59:59+02:00" } })).toBe(true)
    expect(holds({ "context.time": { lte: "2026-04-29T14:00:00+02:00" } })).toBe(true)
    expect(holds({ "context.time": { lt: "2026-04-29T14:00:00+02:00" } })).toBe(false)
    expect(holds({ "context.time": { gte: "2026-01-01" } })).toBe(false)
    expect(holds({ "context.mfaText": { gte: "2026-01-01T00:00:00Z" } })).toBe(false)
    expect(holds({ "object.attributes.temperature": { gte: "40" } })).toBe(false)
    expect(holds({ "context.time": { gte: 0 } })).toBe(false)
  })
})

describe("RFC 3339", () => {
  it("parses offsets, fractions and lower-case separators exactly", () => {
    const a = parseRfc3339("2026-04-29T12:00:00.123456789Z")
    const b = parseRfc3339("2026-04-29t14:00:00.123456789+02:00")
    expect(a).toEqual(b)
    expect(a?.nanos).toBe(123456789)
    expect(parseRfc3339("0001-01-01T00:00:00Z")?.seconds).toBe(Date.parse("0001-01-01T00:00:00Z") / 1000)
  })

  it("rejects what is not a full date-time", () => {
    for (const text of [
      "2026-04-29",
      "2026-04-29T12:00:00",
      "2026-02-30T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-04-29T24:00:00Z",
      "2026-04-29T12:00:00+24:00",
      "yesterday",
    ]) {
      expect(parseRfc3339(text)).toBeUndefined()
    }
    expect(parseRfc3339("2024-02-29T00:00:00Z")).toBeDefined()
  })

  it("orders like Date for millisecond timestamps", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }),
        (x, y) => {
          const conditions = { "context.t": { lt: y.toISOString() } }
          return evaluateConditions(conditions, { context: { t: x.toISOString() } }) === x.getTime() < y.getTime()
        },
      ),
    )
  })
})

describe("write-time validation", () => {
  it("turns null into {} and refuses non-objects", () => {
    expect(validateConditions(null)).toEqual(Either.right({}))
    expect(validateConditions(undefined)).toEqual(Either.right({}))
    expect(validateConditions({ "context.mfa": true })).toEqual(Either.right({ "context.mfa": true }))
    for (const bad of ["oops", 3, false, [], [1]]) {
      expect(validateConditions(bad)).toEqual(Either.left("conditions must be a JSON object"))
    }
  })
})

describe("properties", () => {
  const json = fc.jsonValue()

  it("jsonEquals is reflexive and symmetric, and equal to canonical JSON comparison", () => {
    const canonical = (v: unknown): string =>
      JSON.stringify(v, (_k, value: unknown) =>
        value !== null && typeof value === "object" && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
          : value,
      )
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEquals(a, structuredClone(a))).toBe(true)
        expect(jsonEquals(a, b)).toBe(jsonEquals(b, a))
        expect(jsonEquals(a, b)).toBe(canonical(a) === canonical(b))
      }),
    )
  })

  it("eq and neq are complements on a present path", () => {
    fc.assert(
      fc.property(json, json, (actual, expected) => {
        const document = { context: { v: actual } }
        return (
          evaluateConditions({ "context.v": { eq: expected } }, document) !==
          evaluateConditions({ "context.v": { neq: expected } }, document)
        )
      }),
    )
  })

  it("in agrees with jsonEquals over the operand", () => {
    fc.assert(
      fc.property(json, fc.array(json, { maxLength: 5 }), (actual, operand) => {
        const document = { context: { v: actual } }
        return (
          evaluateConditions({ "context.v": { in: operand } }, document) ===
          operand.some((element) => jsonEquals(element, actual))
        )
      }),
    )
  })

  it("a non-object expectation is equality", () => {
    const nonObject = json.filter((v) => v === null || typeof v !== "object" || Array.isArray(v))
    fc.assert(
      fc.property(json, nonObject, (actual, expected) => {
        const document = { context: { v: actual } }
        return evaluateConditions({ "context.v": expected }, document) === jsonEquals(actual, expected)
      }),
    )
  })
})
