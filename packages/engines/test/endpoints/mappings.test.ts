import {
  applyResponseMapping,
  buildVariables,
  checkGraphqlText,
  checkPath,
  compileRequestSchema,
  type MappingSources,
  normalizeMethod,
  redact,
} from "@atom/engines/endpoints"
import { Either } from "effect"
import { describe, expect, it } from "vitest"

const sources = (overrides: Partial<MappingSources> = {}): MappingSources => ({
  body: { a: { b: [10, { c: "deep" }] }, name: "n" },
  query: new Map([["q", "1"]]),
  headers: { "x-trace": "abc", authorization: "Bearer secret", cookie: "atom_token=t" },
  auth: { entityId: "e", tenantId: null, sessionId: "s" },
  path: "/api/custom/x",
  ...overrides,
})

const right = <A>(e: Either.Either<A, string>): A => {
  if (Either.isLeft(e)) throw new Error(e.left)
  return e.right
}

describe("buildVariables", () => {
  it("passes the whole body when the mapping is empty", () => {
    expect(right(buildVariables({}, sources()))).toEqual({ a: { b: [10, { c: "deep" }] }, name: "n" })
  })

  it("resolves every source kind; numeric segments index arrays; absent values drop their key", () => {
    const vars = right(
      buildVariables(
        {
          whole: "$body",
          c: "$body.a.b.1.c",
          first: "$body.a.b.0",
          notIndex: "$body.a.0",
          q: "$query.q",
          noQ: "$query.none",
          h: "$headers.X-Trace",
          id: "$auth.entityId",
          sid: "$auth.session_id",
          tid: "$auth.tenantId",
          other: "$auth.role",
          p: "$path",
          pp: "$path.path",
          lit: "plain",
          num: 5,
          obj: { k: "$body" },
        },
        sources(),
      ),
    )
    expect(vars).toEqual({
      whole: { a: { b: [10, { c: "deep" }] }, name: "n" },
      c: "deep",
      first: 10,
      q: "1",
      h: "abc",
      id: "e",
      sid: "s",
      p: "/api/custom/x",
      pp: "/api/custom/x",
      lit: "plain",
      num: 5,
      obj: { k: "$body" },
    })
  })

  it("never passes the caller's credentials from headers", () => {
    expect(right(buildVariables({ a: "$headers.authorization", c: "$headers.cookie" }, sources()))).toEqual({})
  })

  it("nests dotted targets and refuses an empty target or a non-object on the way", () => {
    expect(right(buildVariables({ "input.name": "$body.name", "input.kind": "device" }, sources()))).toEqual({
      input: { name: "n", kind: "device" },
    })
    expect(buildVariables({ "": "x" }, sources())).toEqual(Either.left("variablesMapping target cannot be empty"))
    expect(buildVariables({ a: "x", "a.b": "y" }, sources())).toEqual(
      Either.left("variablesMapping target path must be an object"),
    )
  })

  it("refuses an unknown $ source by name", () => {
    expect(buildVariables({ a: "$env.HOME" }, sources())).toEqual(
      Either.left("unsupported variablesMapping source $env.HOME"),
    )
  })
})

describe("applyResponseMapping", () => {
  const data = { entity: { id: "1", tags: ["x", "y"] } }
  it("answers the whole data for an empty mapping", () => {
    expect(applyResponseMapping({}, data)).toBe(data)
  })
  it("reads $. selectors (missing → null) and keeps literals", () => {
    expect(
      applyResponseMapping({ id: "$.entity.id", tag: "$.entity.tags.1", gone: "$.entity.nope", v: 2, s: "text" }, data),
    ).toEqual({ id: "1", tag: "y", gone: null, v: 2, s: "text" })
  })
})

describe("redact", () => {
  it("replaces values under sensitive keys at any depth, case-insensitively", () => {
    expect(
      redact({
        Password: "p",
        nested: [{ API_KEY: "k", apikey: "k", "x-api-key": "k", accessToken: "t", clientSecret: "s" }],
        Authorization: "Bearer x",
        keep: { name: "ok" },
      }),
    ).toEqual({
      Password: "<redacted>",
      nested: [
        {
          API_KEY: "<redacted>",
          apikey: "<redacted>",
          "x-api-key": "<redacted>",
          accessToken: "<redacted>",
          clientSecret: "<redacted>",
        },
      ],
      Authorization: "<redacted>",
      keep: { name: "ok" },
    })
  })
})

describe("definition rules", () => {
  it("uppercases supported methods and refuses others", () => {
    expect(normalizeMethod("patch")).toEqual(Either.right("PATCH"))
    expect(normalizeMethod("OPTIONS")).toEqual(Either.left("unsupported api endpoint method"))
  })
  it("checks paths", () => {
    expect(checkPath("/api/custom/a/b")).toEqual(Either.right("/api/custom/a/b"))
    expect(checkPath("/api/customx")).toEqual(Either.left("api endpoint path must start with /api/custom/"))
    for (const bad of ["/api/custom/a//b", "/api/custom/../a", "/api/custom/a?b", "/api/custom/a#b"]) {
      expect(checkPath(bad)).toEqual(Either.left("api endpoint path is invalid"))
    }
  })
  it("refuses introspection in any case and the legacy operations", () => {
    expect(checkGraphqlText("{ __Schema { types { name } } }")).toEqual(
      Either.left("api endpoints cannot run GraphQL introspection"),
    )
    expect(checkGraphqlText("query introspectionQuery { health }")).toEqual(
      Either.left("api endpoints cannot run GraphQL introspection"),
    )
    expect(checkGraphqlText("mutation { createDomain }")).toEqual(
      Either.left("api endpoints must use generic Atom GraphQL operations; found createDomain"),
    )
    expect(checkGraphqlText("{ health }")).toEqual(Either.right("{ health }"))
  })
})

describe("compileRequestSchema", () => {
  it("accepts everything with an empty schema", () => {
    expect(right(compileRequestSchema({}))("anything")).toEqual([])
  })
  it("names the failing field", () => {
    const validate = right(
      compileRequestSchema({
        type: "object",
        required: ["id"],
        additionalProperties: false,
        properties: { id: { type: "string" }, items: { type: "array", items: { type: "integer" } } },
      }),
    )
    expect(validate({ id: "x", items: [1, 2] })).toEqual([])
    expect(validate({ items: [1, "two"], extra: 1 })).toEqual([
      "body.id is required",
      "body.extra is not allowed",
      "body.items[1] must be integer",
    ])
  })
  it("refuses a schema that does not compile", () => {
    const compiled = compileRequestSchema({ type: "bogus" })
    expect(Either.isLeft(compiled) && compiled.left.startsWith("invalid requestSchema: ")).toBe(true)
  })
})
