import { randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { adminToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// /rpc calls get the request context GraphQL and REST requests get: the caller's IP, user agent and request
// id on their audit rows; WebSocket calls are rate limited one by one. One Atom, with a low /rpc limit and
// 127.0.0.0/8 as a trusted proxy, so each case is its own client by its X-Forwarded-For.

const LIMIT = 4
let t: TestAtom
let admin: string
beforeAll(async () => {
  t = await startTestAtom({
    ATOM_RATE_LIMIT_ENABLED: "true",
    ATOM_HTTP_RATE_LIMIT_GRAPHQL: String(LIMIT),
    ATOM_TRUSTED_PROXY_CIDRS: "127.0.0.0/8",
  })
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
})

interface Exit {
  readonly _tag: "Exit"
  readonly requestId: string
  readonly exit: { readonly _tag: "Success" | "Failure"; readonly value?: unknown; readonly cause?: unknown }
}
const isExit = (m: unknown): m is Exit =>
  typeof m === "object" && m !== null && "_tag" in m && m._tag === "Exit" && "requestId" in m && "exit" in m

const call = (id: string, tag: string, payload: unknown) =>
  `${JSON.stringify({ _tag: "Request", id, tag, payload, headers: [] })}\n`

const auditRowOf = async (event: string, targetId: string) => {
  const rows = await t.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (c) =>
      c.unsafe<{ ip: string | null; ua: string | null; rid: string | null }>(
        "SELECT client_ip AS ip, user_agent AS ua, request_id AS rid FROM audit_logs WHERE event = $1 AND target_id = $2",
        [event, targetId],
      ),
    ),
  )
  expect(rows).toHaveLength(1)
  return rows[0]
}

const tenantIdOf = (exit: Exit | undefined): string => {
  const value = exit?.exit.value
  if (exit?.exit._tag !== "Success" || typeof value !== "object" || value === null || !("id" in value)) {
    throw new Error(`expected a tenant, got ${JSON.stringify(exit)}`)
  }
  return String(value.id)
}

/** A WebSocket to /rpc with the upgrade request's headers; answers collected by request id. */
const openSocket = async (headers: Record<string, string>) => {
  const ws = new WebSocket(`${t.baseUrl.replace("http", "ws")}/rpc`, { headers })
  const exits = new Map<string, Exit>()
  const waiting = new Map<string, (exit: Exit) => void>()
  let closed = false
  ws.on("close", () => {
    closed = true
  })
  ws.on("message", (data: Buffer) => {
    for (const line of data.toString().split("\n")) {
      if (line === "") continue
      const message: unknown = JSON.parse(line)
      if (!isExit(message)) continue
      exits.set(message.requestId, message)
      waiting.get(message.requestId)?.(message)
    }
  })
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve())
    ws.once("error", reject)
  })
  const answer = (id: string) =>
    new Promise<Exit>((resolve) => {
      const done = exits.get(id)
      if (done !== undefined) resolve(done)
      else waiting.set(id, resolve)
    })
  return { ws, answer, closed: () => closed }
}

describe("/rpc audit rows carry the request context", () => {
  it("over HTTP: the caller's forwarded IP, user agent and x-request-id", async () => {
    const requestId = `rpc-http-${randomUUID()}`
    const res = await fetch(`${t.baseUrl}/rpc`, {
      method: "POST",
      headers: {
        "content-type": "application/ndjson",
        authorization: `Bearer ${admin}`,
        "user-agent": "rpc-context-test/http",
        "x-request-id": requestId,
        "x-forwarded-for": "198.51.100.11",
      },
      body: call("1", "CreateTenant", { name: `rpc-ctx-${randomUUID().slice(0, 8)}` }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get("x-request-id")).toBe(requestId)
    const [exit] = (await res.text())
      .split("\n")
      .filter((l) => l !== "")
      .map((l): unknown => JSON.parse(l))
      .filter(isExit)
    const row = await auditRowOf("tenant.create", tenantIdOf(exit))
    expect(row).toEqual({ ip: "198.51.100.11", ua: "rpc-context-test/http", rid: requestId })
  })

  it("over WebSocket: the upgrade request's IP and user agent, and the connection's request id on every call", async () => {
    const requestId = `rpc-ws-${randomUUID()}`
    const socket = await openSocket({
      authorization: `Bearer ${admin}`,
      "user-agent": "rpc-context-test/ws",
      "x-request-id": requestId,
      "x-forwarded-for": "198.51.100.12",
    })
    socket.ws.send(
      call("1", "CreateTenant", { name: `rpc-ws-a-${randomUUID().slice(0, 8)}` }) +
        call("2", "CreateTenant", { name: `rpc-ws-b-${randomUUID().slice(0, 8)}` }),
    )
    const ids = [tenantIdOf(await socket.answer("1")), tenantIdOf(await socket.answer("2"))]
    socket.ws.close()
    for (const id of ids) {
      expect(await auditRowOf("tenant.create", id)).toEqual({
        ip: "198.51.100.12",
        ua: "rpc-context-test/ws",
        rid: requestId,
      })
    }
  })
})

describe("WebSocket /rpc is rate limited per call", () => {
  it("past the limit a call fails with the 429 AtomRpcError, and the socket stays open", async () => {
    // the upgrade is one request of the client's budget; six calls in one message then meet the rest
    const socket = await openSocket({ authorization: `Bearer ${admin}`, "x-forwarded-for": "198.51.100.13" })
    const ids = ["1", "2", "3", "4", "5", "6"]
    socket.ws.send(ids.map((id) => call(id, "ListTenants", {})).join(""))
    const exits = await Promise.all(ids.map(socket.answer))
    const failures = exits.filter((e) => e.exit._tag === "Failure")
    expect(exits.length - failures.length).toBe(LIMIT - 1)
    for (const failure of failures) {
      expect(failure.exit.cause).toMatchObject({
        _tag: "Fail",
        error: { _tag: "AtomRpcError", code: "RateLimited", message: "rate limit exceeded", status: 429 },
      })
      expect(JSON.stringify(failure.exit.cause)).toMatch(/"retryAfterSecs":[1-9]\d*/)
    }
    // still open: the next call on the same socket is answered (refused again) and nothing closed it
    socket.ws.send(call("7", "ListTenants", {}))
    expect((await socket.answer("7")).exit._tag).toBe("Failure")
    expect(socket.closed()).toBe(false)
    socket.ws.close()
  })
})

describe("a payload that does not decode", () => {
  it("fails as AtomRpcError InvalidInput (400) naming the field, not as a defect; the call beside it still runs", async () => {
    const res = await fetch(`${t.baseUrl}/rpc`, {
      method: "POST",
      headers: {
        "content-type": "application/ndjson",
        authorization: `Bearer ${admin}`,
        "x-forwarded-for": "198.51.100.14",
      },
      body:
        call("1", "CreateTenant", { name: 42 }) +
        call("2", "GetTenant", { id: "not-a-uuid" }) +
        call("3", "ListTenants", {}),
    })
    expect(res.status).toBe(200)
    const exits = new Map(
      (await res.text())
        .split("\n")
        .filter((l) => l !== "")
        .map((l): unknown => JSON.parse(l))
        .filter(isExit)
        .map((e) => [e.requestId, e.exit]),
    )
    const invalid = { _tag: "Fail", error: { _tag: "AtomRpcError", code: "InvalidInput", status: 400 } }
    expect(exits.get("1")?.cause).toMatchObject(invalid)
    expect(JSON.stringify(exits.get("1")?.cause)).toMatch(/"message":"name: Expected string, actual 42"/)
    expect(exits.get("2")?.cause).toMatchObject(invalid)
    expect(JSON.stringify(exits.get("2")?.cause)).toMatch(/"message":"id: /)
    expect(exits.get("3")?._tag).toBe("Success")
  })
})
