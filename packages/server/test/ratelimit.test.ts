import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

const graphql = (t: TestAtom, headers: Record<string, string> = {}) =>
  fetch(`${t.baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: "{ health }" }),
  })

describe("rate limits per category and client", () => {
  let direct: TestAtom
  let proxied: TestAtom
  beforeAll(async () => {
    ;[direct, proxied] = await Promise.all([
      startTestAtom({ ATOM_RATE_LIMIT_ENABLED: "true", ATOM_HTTP_RATE_LIMIT_GRAPHQL: "3" }),
      startTestAtom({
        ATOM_RATE_LIMIT_ENABLED: "true",
        ATOM_HTTP_RATE_LIMIT_GRAPHQL: "2",
        ATOM_TRUSTED_PROXY_CIDRS: "127.0.0.0/8",
      }),
    ])
  })
  afterAll(async () => {
    await Promise.all([direct?.close(), proxied?.close()])
  })

  it("refuses the request past the limit with 429, the contract body and Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await graphql(direct)).status).toBe(200)
    const refused = await graphql(direct)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toEqual({ error: "rate limit exceeded" })
    const retry = Number(refused.headers.get("retry-after"))
    expect(retry).toBeGreaterThanOrEqual(1)
    expect(retry).toBeLessThanOrEqual(60)
  })

  it("never limits health, and ignores X-Forwarded-For from an untrusted peer", async () => {
    for (let i = 0; i < 10; i++) expect((await fetch(`${direct.baseUrl}/health/live`)).status).toBe(200)
    expect((await graphql(direct, { "x-forwarded-for": "203.0.113.9" })).status).toBe(429)
  })

  it("keys clients behind a trusted proxy by their forwarded address", async () => {
    const a = { "x-forwarded-for": "198.51.100.1, 127.0.0.1" }
    const b = { "x-forwarded-for": "198.51.100.2" }
    expect((await graphql(proxied, a)).status).toBe(200)
    expect((await graphql(proxied, a)).status).toBe(200)
    expect((await graphql(proxied, a)).status).toBe(429)
    expect((await graphql(proxied, b)).status).toBe(200)
    expect((await graphql(proxied, { "x-real-ip": "198.51.100.3" })).status).toBe(200)
  })
})
