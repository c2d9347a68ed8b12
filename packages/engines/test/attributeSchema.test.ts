import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { attributesFailed, compileAttributeSchema, MAX_REPORTED_FAILURES } from "../src/profiles/index.js"

const compiled = (schema: Record<string, unknown>) => {
  const result = compileAttributeSchema(schema)
  if (Either.isLeft(result)) throw new Error(result.left)
  return result.right
}

const meter = {
  type: "object",
  required: ["serial_no"],
  properties: {
    serial_no: { type: "string", pattern: "^WM-" },
    rate: { type: "integer", maximum: 10 },
    site: { type: "object", properties: { email: { type: "string", format: "email" } } },
    tags: { type: "array", items: { type: "string" } },
  },
  additionalProperties: false,
}

describe("profile attribute schemas (identity-certs §1.3 step 5)", () => {
  it("an empty schema accepts anything", () => {
    expect(compiled({})({ anything: [1, 2] })).toEqual([])
  })

  it("accepts a conforming document and names every failing field of another", () => {
    const validate = compiled(meter)
    expect(validate({ serial_no: "WM-1", rate: 3, site: { email: "a@example.com" }, tags: ["x"] })).toEqual([])
    expect(validate({ rate: 11 })).toEqual(["attributes.serial_no is required", "attributes.rate must be <= 10"])
    expect(validate({ serial_no: 7, site: { email: "nope" }, tags: ["ok", 2], color: "red" })).toEqual([
      "attributes.color is not allowed",
      "attributes.serial_no must be string",
      'attributes.site.email must match format "email"',
      "attributes.tags[1] must be string",
    ])
    expect(attributesFailed(validate({ serial_no: "X-1" }))).toBe(
      'attributes failed profile schema validation: attributes.serial_no must match pattern "^WM-"',
    )
  })

  it("takes the draft from $schema", () => {
    const tuple = (draft: string) =>
      compiled({
        $schema: draft,
        type: "object",
        properties: { pair: { type: "array", prefixItems: [{ type: "string" }] } },
      })
    // prefixItems is a 2020-12 keyword; older drafts ignore it
    expect(tuple("https://json-schema.org/draft/2020-12/schema")({ pair: [1] })).toEqual([
      "attributes.pair[0] must be string",
    ])
    expect(tuple("http://json-schema.org/draft-07/schema#")({ pair: [1] })).toEqual([])
    const unevaluated = compiled({
      $schema: "https://json-schema.org/draft/2019-09/schema",
      type: "object",
      properties: { a: { type: "string" } },
      unevaluatedProperties: false,
    })
    expect(unevaluated({ a: "x", b: 1 })).toEqual(["attributes.b is not allowed"])
  })

  it("refuses a schema that does not compile, an unsupported draft and a remote reference", () => {
    const refused = (schema: Record<string, unknown>) => Either.getLeft(compileAttributeSchema(schema))
    expect(refused({ type: "nonsense" })).toEqual(expect.objectContaining({ _tag: "Some" }))
    expect(Either.getOrThrow(Either.flip(compileAttributeSchema({ type: "nonsense" })))).toMatch(
      /^invalid profile JSON schema: /,
    )
    expect(
      Either.getOrThrow(Either.flip(compileAttributeSchema({ $schema: "http://json-schema.org/draft-04/schema#" }))),
    ).toBe("invalid profile JSON schema: unsupported $schema http://json-schema.org/draft-04/schema#")
    expect(Either.getOrThrow(Either.flip(compileAttributeSchema({ $ref: "https://example.com/remote.json" })))).toMatch(
      /^invalid profile JSON schema: can't resolve reference/,
    )
  })

  it("reports at most a bounded number of failures", () => {
    const properties = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, { type: "string" }]))
    const document = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i]))
    expect(compiled({ type: "object", properties })(document)).toHaveLength(MAX_REPORTED_FAILURES)
  })

  it("two schemas with the same $id compile independently", () => {
    const a = compiled({ $id: "https://atom.example/profiles/meter.json", type: "object", required: ["a"] })
    const b = compiled({ $id: "https://atom.example/profiles/meter.json", type: "object", required: ["b"] })
    expect(a({ b: 1 })).toEqual(["attributes.a is required"])
    expect(b({ a: 1 })).toEqual(["attributes.b is required"])
  })
})
