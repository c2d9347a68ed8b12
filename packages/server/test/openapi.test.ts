import {
  authRoutes,
  certificateRoutes,
  healthRoutes,
  metricsRoutes,
  oauthRoutes,
  selfServiceRoutes,
} from "@atom/transports/http"
import { openApiRoutes } from "@atom/transports/http/openapi"
import { Validator } from "@seriousme/openapi-schema-validator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
beforeAll(async () => {
  t = await startTestAtom()
}, 120_000)
afterAll(async () => {
  await t?.close()
})

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const record = (v: unknown): Record<string, unknown> => {
  if (!isRecord(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`)
  return v
}

/** `/auth/sessions/:id` → `/auth/sessions/{id}`; the custom endpoints' `/api/custom/*` → `/api/custom/{path}` */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, "{$1}").replace(/\/\*$/, "/{path}")

// the routes startAtom serves: the router's, and the ones handed to the server as native handlers
const served: ReadonlyArray<{ readonly method: string; readonly path: string }> = [
  ...healthRoutes,
  ...metricsRoutes,
  ...authRoutes,
  ...selfServiceRoutes,
  ...oauthRoutes,
  ...certificateRoutes,
  ...openApiRoutes,
  { method: "*", path: "/api/custom/*" },
  { method: "GET", path: "/audit/export" },
  { method: "POST", path: "/graphql" },
]
/** `*` (any method) must be documented for each method a custom endpoint may declare. */
const methodsOf = (method: string) =>
  method === "*" ? ["get", "post", "put", "patch", "delete"] : [method.toLowerCase()]

const fetchDocument = async (): Promise<Record<string, unknown>> => {
  const res = await fetch(`${t.baseUrl}/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toContain("application/json")
  return record(await res.json())
}

describe("GET /openapi.json", () => {
  it("describes every served REST route with its method", async () => {
    const doc = await fetchDocument()
    const paths = record(doc.paths)
    for (const route of served) {
      const item = record(paths[openApiPath(route.path)])
      for (const method of methodsOf(route.method)) expect(item[method], `${method} ${route.path}`).toBeDefined()
    }
    expect(paths["/.well-known/jwks.json"]).toBeDefined()
    expect(paths["/auth/sessions/{id}"]).toBeDefined()
  })

  it("validates against the OpenAPI 3.1 schema, and a broken copy does not", async () => {
    const doc = await fetchDocument()
    const validator = new Validator()
    const result = await validator.validate(doc)
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe("3.1")
    // the validator really looks: each broken copy is refused for what was broken
    const paths = record(doc.paths)
    const login = record(record(paths["/auth/login"]).post)
    const refusal = async (copy: Record<string, unknown>) => {
      const result = await validator.validate(copy)
      expect(result.valid).toBe(false)
      return JSON.stringify(result.errors)
    }
    // references must resolve
    const components = record(doc.components)
    expect(await refusal({ ...doc, components: { ...components, schemas: {} } })).toContain("Can't resolve")
    const noDescription = { ...paths, "/auth/login": { post: { ...login, responses: { "200": { content: {} } } } } }
    expect(await refusal({ ...doc, paths: noDescription })).toContain("description")
    expect(await refusal({ ...doc, paths: { ...paths, "auth/no-slash": paths["/auth/login"] } })).toContain(
      "auth/no-slash",
    )
    // Effect's placeholder `$id` for Schema.Unknown, repeated, is what the served document must leave out
    const unknown = () => ({ $id: "/schemas/unknown", title: "unknown" })
    const twice = { type: "object", properties: { a: unknown(), b: unknown() } }
    const schemas = { ...record(components.schemas), Twice: twice }
    const repeatedIds = { ...doc, components: { ...components, schemas } }
    expect(await refusal(repeatedIds)).toContain("/schemas/unknown")
  })

  it("has unique operation ids, declared path parameters and references that all resolve", async () => {
    const doc = await fetchDocument()
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/)
    const info = record(doc.info)
    expect(typeof info.title).toBe("string")
    expect(typeof info.version).toBe("string")
    const components = record(doc.components)
    const schemas = record(components.schemas)
    expect(record(components.securitySchemes).bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    })
    const operationIds = new Set<string>()
    for (const [path, item] of Object.entries(record(doc.paths))) {
      expect(path.startsWith("/")).toBe(true)
      for (const [method, op] of Object.entries(record(item))) {
        expect(["get", "post", "put", "patch", "delete"]).toContain(method)
        const operation = record(op)
        expect(typeof operation.operationId).toBe("string")
        expect(operationIds.has(String(operation.operationId))).toBe(false)
        operationIds.add(String(operation.operationId))
        const responses = record(operation.responses)
        expect(Object.keys(responses).length).toBeGreaterThan(0)
        for (const [status, response] of Object.entries(responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/)
          expect(typeof record(response).description).toBe("string")
        }
        // every path template parameter is declared as a required path parameter
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          const params = Array.isArray(operation.parameters) ? operation.parameters.map(record) : []
          expect(params.find((p) => p.name === name && p.in === "path" && p.required === true)).toBeDefined()
        }
      }
    }
    // every $ref points at a component that exists
    const refs = JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)
    for (const [, name] of refs) expect(schemas[name ?? ""], name).toBeDefined()
    expect(schemas.HttpApiDecodeError).toBeUndefined()
  })

  it("gives the wire shapes: login body and answer, plain-text rejections, the error envelope", async () => {
    const paths = record((await fetchDocument()).paths)
    const login = record(record(paths["/auth/login"]).post)
    const body = JSON.stringify(login.requestBody)
    expect(body).toContain("LoginRequest")
    const responses = record(login.responses)
    expect(JSON.stringify(responses["200"])).toContain("LoginResponse")
    expect(JSON.stringify(responses["401"])).toContain('"error"')
    expect(Object.keys(record(record(responses["422"]).content))).toEqual(["text/plain"])
    const crl = record(record(record(paths["/certs/crl"]).get).responses)
    expect(Object.keys(record(record(crl["200"]).content))).toEqual(["application/pkix-crl"])
  })
})

describe("GET /docs", () => {
  it("lists every operation of the document as plain HTML", async () => {
    const res = await fetch(`${t.baseUrl}/docs`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("text/html")
    const html = await res.text()
    expect(html).not.toContain("<script")
    for (const route of served) expect(html).toContain(`<code>${openApiPath(route.path)}</code>`)
  })
})
