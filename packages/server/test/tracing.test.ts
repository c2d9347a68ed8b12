import { createServer, type Server } from "node:http"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

const Attribute = Schema.Struct({
  key: Schema.String,
  value: Schema.Struct({ stringValue: Schema.optional(Schema.String) }),
})
/** A span as OTLP/HTTP JSON carries it (only the fields the test reads). */
const OtlpSpan = Schema.Struct({
  traceId: Schema.String,
  spanId: Schema.String,
  parentSpanId: Schema.optional(Schema.String),
  name: Schema.String,
  attributes: Schema.optional(Schema.Array(Attribute)),
})
type OtlpSpan = typeof OtlpSpan.Type
const ExportRequest = Schema.Struct({
  resourceSpans: Schema.Array(
    Schema.Struct({
      resource: Schema.optional(Schema.Struct({ attributes: Schema.optional(Schema.Array(Attribute)) })),
      scopeSpans: Schema.Array(Schema.Struct({ spans: Schema.Array(OtlpSpan) })),
    }),
  ),
})
const decodeExport = Schema.decodeUnknownSync(Schema.parseJson(ExportRequest))

let collector: Server
const received: Array<OtlpSpan> = []
const services: Array<string> = []
let t: TestAtom

beforeAll(async () => {
  // a tiny OTLP/HTTP collector: POST /v1/traces with a JSON body
  collector = createServer((req, res) => {
    let text = ""
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString()
    })
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") {
        for (const rs of decodeExport(text).resourceSpans) {
          for (const ss of rs.scopeSpans) received.push(...ss.spans)
          for (const a of rs.resource?.attributes ?? [])
            if (a.key === "service.name" && a.value.stringValue) services.push(a.value.stringValue)
        }
      }
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve))
  const address = collector.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  t = await startTestAtom({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`, OTEL_SERVICE_NAME: "atom-test" })
})
afterAll(async () => {
  await t?.close()
  await new Promise<void>((resolve) => collector.close(() => resolve()))
})

const waitFor = async (ok: () => boolean, budgetMs: number) => {
  const started = Date.now()
  while (!ok() && Date.now() - started < budgetMs) await new Promise((r) => setTimeout(r, 100))
  return ok()
}

describe("OpenTelemetry traces", () => {
  it("exports one trace per GraphQL request: request, service call and SQL spans, linked", async () => {
    const admin = await adminToken(t)
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}`, "x-request-id": "trace-me-1" },
      body: JSON.stringify({ query: "{ tenants(limit: 5) { total } }" }),
    })
    expect(await res.json()).toMatchObject({ data: { tenants: {} } })
    const root = () =>
      received.find(
        (s) =>
          s.name === "POST /graphql" &&
          (s.attributes ?? []).some((a) => a.key === "request_id" && a.value.stringValue === "trace-me-1"),
      )
    const inTrace = (name: string) => received.some((s) => s.traceId === root()?.traceId && s.name === name)
    expect(await waitFor(() => root() !== undefined && inTrace("TenantService.list"), 15_000)).toBe(true)
    const request = root()
    expect(request).toBeDefined()
    const trace = received.filter((s) => s.traceId === request?.traceId)
    const service = trace.find((s) => s.name === "TenantService.list")
    expect(service?.parentSpanId).toBeDefined()
    // every span of the request hangs off its server span
    const ids = new Set(trace.map((s) => s.spanId))
    for (const s of trace) if (s !== request) expect(ids.has(s.parentSpanId ?? "")).toBe(true)
    // SQL statements are spans of their own, under the service call
    expect(
      await waitFor(() => received.some((s) => s.traceId === request?.traceId && s.name === "sql.execute"), 5000),
    ).toBe(true)
    expect(services).toContain("atom-test")
  })

  it("exports a server span per REST request, constant routes included, with its route, method and request id", async () => {
    const live = await fetch(`${t.baseUrl}/health/live`, { headers: { "x-request-id": "trace-rest-live" } })
    expect(live.status).toBe(200)
    const ready = await fetch(`${t.baseUrl}/health/ready`, { headers: { "x-request-id": "trace-rest-ready" } })
    expect(ready.status).toBe(200)
    const attr = (s: OtlpSpan, key: string) => (s.attributes ?? []).find((a) => a.key === key)?.value.stringValue
    const span = (name: string, id: string) => received.find((s) => s.name === name && attr(s, "request_id") === id)
    expect(
      await waitFor(
        () =>
          span("GET /health/live", "trace-rest-live") !== undefined &&
          span("GET /health/ready", "trace-rest-ready") !== undefined,
        15_000,
      ),
    ).toBe(true)
    expect(span("GET /health/live", "trace-rest-live")?.attributes).toEqual(
      expect.arrayContaining([
        { key: "http.route", value: { stringValue: "/health/live" } },
        { key: "http.method", value: { stringValue: "GET" } },
      ]),
    )
  })
})
