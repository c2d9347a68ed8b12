import { randomUUID } from "node:crypto"
import { AuditQueue } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
})

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

const flush = () => t.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush()))

const SYSTEM_STATUS = `{ systemStatus {
  status
  httpReady { status message } grpcReady { status message } database { status message }
  migrations { status message } signingKeys { status message } certificateIssuer { status message }
  dbPool { maxConnections minConnections acquireTimeoutSecs connectTimeoutSecs idleTimeoutSecs maxLifetimeSecs size idle }
  signingKeyState { configuredKeyId totalCount }
  auditRetention { enabled days cleanupIntervalSecs cleanupBatchSize lastCleanup }
  rateLimits { enabled policies { category maxRequests windowSecs } trustedProxyCidrs }
} }`

interface SystemStatus {
  systemStatus: {
    status: string
    database: { status: string; message: string }
    migrations: { status: string; message: string }
    httpReady: { status: string }
    grpcReady: { status: string }
    dbPool: { maxConnections: number; acquireTimeoutSecs: number }
    auditRetention: { enabled: boolean; days: number; cleanupBatchSize: number; lastCleanup: unknown }
    rateLimits: { enabled: boolean; policies: Array<{ category: string; maxRequests: number; windowSecs: number }> }
  }
}

const PASSWORD = "observability-password-1"

describe("systemStatus", () => {
  it("answers the readiness report in camelCase to a platform admin, as /health/ready does", async () => {
    const res = await gql<SystemStatus>(t, admin, SYSTEM_STATUS)
    expect(res.errors).toBeUndefined()
    const s = res.data!.systemStatus
    const ready = await (await fetch(`${t.baseUrl}/health/ready`)).json()
    expect(s.status).toBe(ready.status)
    expect(s.status).toBe("ok")
    expect(s.database).toEqual(ready.database)
    expect(s.migrations.status).toBe("ok")
    expect(s.httpReady.status).toBe("ok")
    expect(s.grpcReady.status).toBe("ok")
    expect(s.dbPool.maxConnections).toBe(ready.db_pool.max_connections)
    expect(s.dbPool.acquireTimeoutSecs).toBe(ready.db_pool.acquire_timeout_secs)
    expect(s.auditRetention).toMatchObject({
      enabled: ready.audit_retention.enabled,
      days: ready.audit_retention.days,
      cleanupBatchSize: ready.audit_retention.cleanup_batch_size,
    })
    expect(s.rateLimits.enabled).toBe(false)
    expect(s.rateLimits.policies.length).toBe(ready.rate_limits.policies.length)
    expect(s.rateLimits.policies[0]).toEqual({
      category: ready.rate_limits.policies[0].category,
      maxRequests: ready.rate_limits.policies[0].max_requests,
      windowSecs: ready.rate_limits.policies[0].window_secs,
    })
  })

  it("is refused without a token and to a caller without platform manage", async () => {
    const anonymous = await gql(t, undefined, "{ systemStatus { status } }")
    expect(anonymous.errors?.[0]?.message).toBe("missing authentication")
    const id = randomUUID()
    await sql("INSERT INTO entities (id, kind, name) VALUES ($1, 'human', 'status-outsider')", [id])
    const made = await gql(t, admin, `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`, {
      e: id,
      p: PASSWORD,
    })
    expect(made.errors).toBeUndefined()
    const outsider = await loginToken(t, "status-outsider", PASSWORD)
    const refused = await gql(t, outsider, "{ systemStatus { status } }")
    expect(refused.errors?.[0]?.message).toBe("forbidden")
    expect(refused.data).toBeNull()
  })
})

describe("request context on GraphQL events", () => {
  it("records the client IP, user agent and request id, and echoes the request id", async () => {
    const token = await loginToken(t, "admin", ADMIN_PASSWORD)
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-request-id": "gql-logout-42",
        "user-agent": "observability-test/1.0",
      },
      body: JSON.stringify({ query: "mutation { logout }" }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get("x-request-id")).toBe("gql-logout-42")
    expect(await res.json()).toEqual({ data: { logout: true } })
    await flush()
    const rows = await sql<{ clientIp: string; userAgent: string; requestId: string; event: string }>(
      "SELECT client_ip, user_agent, request_id, event FROM audit_logs WHERE request_id = $1",
      ["gql-logout-42"],
    )
    expect(rows).toEqual([
      { clientIp: "127.0.0.1", userAgent: "observability-test/1.0", requestId: "gql-logout-42", event: "auth.logout" },
    ])
  })

  it("mints a request id when the client sends none, and the event carries the echoed one", async () => {
    const token = await loginToken(t, "admin", ADMIN_PASSWORD)
    const res = await fetch(`${t.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "bad id!" },
      body: JSON.stringify({ query: "mutation { logout }" }),
    })
    const id = res.headers.get("x-request-id")
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await res.json()
    await flush()
    const rows = await sql<{ event: string }>("SELECT event FROM audit_logs WHERE request_id = $1", [id])
    expect(rows.map((r) => r.event)).toEqual(["auth.logout"])
  })
})
