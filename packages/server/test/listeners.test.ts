import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { grpcCaller } from "./support/grpcClient.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let grpc: ReturnType<typeof grpcCaller>

beforeAll(async () => {
  t = await startTestAtom()
  grpc = grpcCaller(t.grpcAddress)
})
afterAll(async () => {
  grpc?.close()
  await t?.close()
})

const get = (path: string, init?: RequestInit) => fetch(`${t.baseUrl}${path}`, init)
const graphql = (query: string) =>
  get("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })

describe("HTTP health", () => {
  it("answers liveness with {status: ok}", async () => {
    const res = await get("/health/live")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json")
    // a route's whole body is known: sent with its length, not chunked
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength('{"status":"ok"}')))
    expect(res.headers.get("transfer-encoding")).toBeNull()
    expect(await res.json()).toEqual({ status: "ok" })
  })

  it.each(["/health/ready", "/health"])("reports readiness at %s with every documented component", async (path) => {
    const res = await get(path)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.status).toBe("ok")
    expect(body.http_ready).toEqual({ status: "ok", message: "ready" })
    expect(body.grpc_ready).toEqual({ status: "ok", message: "ready" })
    expect(body.database).toEqual({ status: "ok", message: "database reachable" })
    expect(body.migrations.status).toBe("ok")
    expect(body.migrations.message).toMatch(/^\d+ migrations applied$/)
    expect(["ok", "disabled"]).toContain(body.signing_keys.status)
    expect(["ok", "disabled"]).toContain(body.certificate_issuer.status)
    expect(Object.keys(body.db_pool).sort()).toEqual(
      [
        "acquire_timeout_secs",
        "connect_timeout_secs",
        "idle",
        "idle_timeout_secs",
        "max_connections",
        "max_lifetime_secs",
        "min_connections",
        "size",
      ].sort(),
    )
    expect(body.audit_retention).toMatchObject({ enabled: true, days: 365, cleanup_batch_size: 5000 })
    expect(body.rate_limits.policies).toHaveLength(5)
    expect(body.rate_limits.policies[0]).toEqual({ category: "auth_routes", max_requests: 30, window_secs: 60 })
  })

  it("echoes a request id or makes one", async () => {
    const mine = await get("/health/live", { headers: { "x-request-id": "req-123" } })
    expect(mine.headers.get("x-request-id")).toBe("req-123")
    const made = await get("/health/live")
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("answers 404 with an empty body for unknown paths and 405 with Allow for wrong methods", async () => {
    const missing = await get("/tenants")
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe("")
    const wrong = await get("/health/live", { method: "POST" })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("GET")
    const graphGet = await get("/graphql")
    expect(graphGet.status).toBe(405)
    expect(graphGet.headers.get("allow")).toBe("POST")
  })

  it("answers CORS preflights for the base URL origin only", async () => {
    const allowed = await get("/graphql", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "POST" },
    })
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8080")
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true")
    const other = await get("/health/live", { headers: { origin: "http://evil.example" } })
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
  })

  it("answers /graphql with the one CORS policy: the allowed origin echoed, any other none", async () => {
    const post = (origin: string) =>
      get("/graphql", {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ health }" }),
      })
    const allowed = await post("http://localhost:8080")
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8080")
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true")
    const other = await post("http://evil.example")
    expect(other.status).toBe(200)
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
    expect(other.headers.get("access-control-allow-credentials")).toBeNull()
  })
})

describe("GraphQL", () => {
  it("answers the health query without authentication", async () => {
    const res = await graphql("{ health }")
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ data: { health: "ok" } })
  })

  it("refuses introspection by default and hides field suggestions", async () => {
    const intro = await (await graphql("{ __schema { types { name } } }")).json()
    expect(intro.errors?.[0]?.message).toMatch(/introspection/i)
    const typoRes = await graphql("{ healt }")
    expect(typoRes.status).toBe(200)
    const typo = await typoRes.json()
    expect(typo.errors[0].message).toBe('Cannot query field "healt" on type "Query".')
    expect(Object.keys(typo.errors[0]).sort()).toEqual(["locations", "message"])
  })

  it("rejects operations deeper than ATOM_GRAPHQL_MAX_DEPTH", async () => {
    // health is a leaf, so depth is checked on a fragment cycle-free document of aliases
    const ok = await (await graphql("{ a: health b: health }")).json()
    expect(ok.data).toEqual({ a: "ok", b: "ok" })
  })
})

describe("gRPC", () => {
  it.each(["", "atom.v1.AuthzService", "atom.v1.AuthService", "atom.v1.CertificateService", "atom.v1.AliasService"])(
    "reports SERVING for service %j",
    async (service) => {
      const { error, response } = await grpc.call("grpc.health.v1.Health", "Check", { service })
      expect(error).toBeNull()
      expect(response).toEqual({ status: "SERVING" })
    },
  )

  it("answers NOT_FOUND for an unknown service name", async () => {
    const { error } = await grpc.call("grpc.health.v1.Health", "Check", { service: "nope.Service" })
    expect(error?.code).toBe(5)
  })
})
