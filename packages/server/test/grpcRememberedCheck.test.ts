import { randomUUID } from "node:crypto"
import type { AuditRequestInfo } from "@atom/domain/audit"
import { AuditQueue } from "@atom/services/audit"
import { makeRememberedCheck, type RememberedCheck } from "@atom/services/authz"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import * as grpc from "@grpc/grpc-js"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { grpcCaller } from "./support/grpcClient.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// The warm gRPC Check answered from memory (makeRememberedCheck, tried first by the gRPC server): it
// answers only what the full check would, and a revoked grant or session is seen by the very next call.

let t: TestAtom
let admin: string
let rpc: ReturnType<typeof grpcCaller>
let remembered: RememberedCheck
let user: string
let token: string

const T = randomUUID()
const U = randomUUID()
const C = randomUUID()
const BLOCK = randomUUID()
const POLICY = randomUUID()
const PASSWORD = "a-long-enough-password-1"
const info: AuditRequestInfo = { clientIp: "127.0.0.1", userAgent: "test", requestId: "remembered-test" }

const sql = (text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe(text, params)))

const check = (request: object, requestId: string, bearer: string = token) => {
  const metadata = new grpc.Metadata()
  metadata.set("authorization", `Bearer ${bearer}`)
  metadata.set("x-request-id", requestId)
  return rpc.call("atom.v1.AuthzService", "Check", request, metadata)
}

const readC = { subject_id: U, action: "read", resource_id: C }
const fieldsReadC = { subjectId: U, action: "read", resourceId: C }

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  rpc = grpcCaller(t.grpcAddress)
  remembered = makeRememberedCheck(await t.atom.runtime.runtime())
  await sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [T, `remembered-${T}`])
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)", [U, `u-${U}`, T])
  const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD))))
  await sql("INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)", [
    randomUUID(),
    U,
    hash,
  ])
  await sql("INSERT INTO resources (id, kind, name, tenant_id) VALUES ($1, 'channel', 'c', $2)", [C, T])
  await sql(
    `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type)
     VALUES ($1, $2, 'object_type', 'resource', 'resource:channel')`,
    [BLOCK, T],
  )
  await sql(
    `INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT $1, id FROM actions WHERE name = 'read'`,
    [BLOCK],
  )
  await sql(
    `INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
     VALUES ($1, $2, 'entity', $3, $4)`,
    [POLICY, T, U, BLOCK],
  )
  await sql("UPDATE authz_revision SET revision = revision + 1")
  user = U
  token = await loginToken(t, `u-${U}`, PASSWORD)
})
afterAll(async () => {
  rpc?.close()
  await t?.close()
})

/** Calls until the token and every decision input are remembered (the bump above is announced asynchronously). */
const warm = async (fields: typeof fieldsReadC, request: object) => {
  for (let i = 0; i < 50; i++) {
    await check(request, `warm-${i}`)
    if (remembered(token, fields, "grpc", () => info) !== undefined) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error("the check never became answerable from memory")
}

describe("gRPC Check answered from memory", () => {
  it("a warm call is answered from memory with the full check's decision; a revoke is seen by the very next call", async () => {
    expect(remembered(token, fieldsReadC, "grpc", () => info)).toBeUndefined()
    expect((await check(readC, "first")).response).toEqual({ allowed: true, reason: "allowed" })
    await warm(fieldsReadC, readC)
    expect(remembered(token, fieldsReadC, "grpc", () => info)).toEqual({
      allowed: true,
      reason: "allowed",
      details: null,
    })
    expect((await check(readC, "warm")).response).toEqual({ allowed: true, reason: "allowed" })

    // revoke through the contract: the write announces itself, so nothing remembered is trusted any more
    const deleted = await gql(t, admin, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: POLICY })
    expect(deleted.errors).toBeUndefined()
    expect(remembered(token, fieldsReadC, "grpc", () => info)).toBeUndefined()
    expect((await check(readC, "after-revoke")).response).toEqual({
      allowed: false,
      reason: "no matching allow policy",
    })
    // the deny is remembered in turn, and answered from memory as the full check answered it
    await warm(fieldsReadC, readC)
    expect(remembered(token, fieldsReadC, "grpc", () => info)).toEqual({
      allowed: false,
      reason: "no matching allow policy",
      details: null,
    })
  })

  it("a denial answered from memory is audited with the call's request id", async () => {
    await warm(fieldsReadC, readC)
    expect((await check(readC, "remembered-deny-1")).response).toEqual({
      allowed: false,
      reason: "no matching allow policy",
    })
    const flushed = await t.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush("5 seconds")))
    expect(flushed).toBe(true)
    const rows = await sql(
      `SELECT event, outcome, actor_id::text AS actor, target_id::text AS target, client_ip AS ip, details::text AS facts
       FROM audit_logs WHERE request_id = $1`,
      ["remembered-deny-1"],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ event: "authz.check", outcome: "deny", actor: user, target: C, ip: "127.0.0.1" })
    expect(rows[0]).toMatchObject({ facts: expect.stringContaining('"reason": "no matching allow policy"') })
  })

  it("what the full check refuses is never answered from memory", async () => {
    await warm(fieldsReadC, readC)
    // malformed ids and unknown targets take the full path and get the contract's status
    expect(remembered(token, { ...fieldsReadC, subjectId: "nope" }, "grpc", () => info)).toBeUndefined()
    const bad = await check({ ...readC, subject_id: "nope" }, "bad")
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(bad.error?.details).toBe("invalid subject_id: expected UUID")
    // a question about someone else needs the delegated-check gate, which this caller lacks
    const other = { subjectId: "00000000-0000-0000-0000-000000000001", action: "read", resourceId: C }
    expect(remembered(token, other, "grpc", () => info)).toBeUndefined()
    const forbidden = await check({ ...readC, subject_id: other.subjectId }, "forbidden")
    expect(forbidden.error?.code).toBe(grpc.status.PERMISSION_DENIED)
    // an unknown token is never remembered
    expect(remembered("not-a-token", fieldsReadC, "grpc", () => info)).toBeUndefined()
  })

  it("a logout is seen by the very next call with that token", async () => {
    const session = await loginToken(t, `u-${U}`, PASSWORD)
    const fields = { subjectId: U, action: "read", resourceId: C }
    for (let i = 0; i < 50 && remembered(session, fields, "grpc", () => info) === undefined; i++) {
      await check(readC, `warm-session-${i}`, session)
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(remembered(session, fields, "grpc", () => info)).toBeDefined()
    const out = await fetch(`${t.baseUrl}/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${session}` },
    })
    expect(out.status).toBeLessThan(300)
    expect(remembered(session, fields, "grpc", () => info)).toBeUndefined()
    const after = await check(readC, "after-logout", session)
    expect(after.error?.code).toBe(grpc.status.UNAUTHENTICATED)
  })
})
