import { randomUUID } from "node:crypto"
import type { AuditRequestInfo } from "@atom/domain/audit"
import { PasswordHasher } from "@atom/services/passwords"
import { makeRememberedAuthenticate } from "@atom/transports/grpc/identity"
import * as grpc from "@grpc/grpc-js"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { grpcCaller } from "./support/grpcClient.js"
import { type RememberedFixture, rememberedFixture, warmUntilRemembered } from "./support/rememberedFixture.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// The warm gRPC Check answered from memory (makeRememberedCheck, tried first by the gRPC server): it
// answers only what the full check would, and a revoked grant or session is seen by the very next call.
// The same for AuthService/Authenticate (makeRememberedAuthenticate) at the end.

let t: TestAtom
let admin: string
let rpc: ReturnType<typeof grpcCaller>
let f: RememberedFixture
let U: string
let C: string
let token: string

const BLOCK = randomUUID()
const POLICY = randomUUID()
const info: AuditRequestInfo = { clientIp: "127.0.0.1", userAgent: "test", requestId: "remembered-test" }

const check = (request: object, requestId: string, bearer: string = token) => {
  const metadata = new grpc.Metadata()
  metadata.set("authorization", `Bearer ${bearer}`)
  metadata.set("x-request-id", requestId)
  return rpc.call("atom.v1.AuthzService", "Check", request, metadata)
}

let readC: { subject_id: string; action: string; resource_id: string }
let fieldsReadC: { subjectId: string; action: string; resourceId: string }

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  rpc = grpcCaller(t.grpcAddress)
  f = await rememberedFixture(t, "remembered")
  ;[U, C] = [f.user, f.channel]
  readC = { subject_id: U, action: "read", resource_id: C }
  fieldsReadC = { subjectId: U, action: "read", resourceId: C }
  await f.sql(
    `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type)
     VALUES ($1, $2, 'object_type', 'resource', 'resource:channel')`,
    [BLOCK, f.tenant],
  )
  await f.sql(
    `INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT $1, id FROM actions WHERE name = 'read'`,
    [BLOCK],
  )
  await f.sql(
    `INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
     VALUES ($1, $2, 'entity', $3, $4)`,
    [POLICY, f.tenant, U, BLOCK],
  )
  await f.bump()
  token = await f.login()
})
afterAll(async () => {
  rpc?.close()
  await t?.close()
})

const remembered: RememberedFixture["remembered"] = (...args) => f.remembered(...args)

/** Calls until the token and every decision input are remembered (the bump above is announced asynchronously). */
const warm = (fields: typeof fieldsReadC, request: object) =>
  warmUntilRemembered(
    (i) => check(request, `warm-${i}`),
    () => remembered(token, fields, "grpc", () => info) !== undefined,
  )

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
    expect(await f.flushAudit()).toBe(true)
    const rows = await f.sql(
      `SELECT event, outcome, actor_id::text AS actor, target_id::text AS target, client_ip AS ip, details::text AS facts
       FROM audit_logs WHERE request_id = $1`,
      ["remembered-deny-1"],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ event: "authz.check", outcome: "deny", actor: U, target: C, ip: "127.0.0.1" })
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
    const session = await f.login()
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

// AuthService/Authenticate from memory: the token in the body, answered by the remembered caller

const authenticate = (token: string) => rpc.call("atom.v1.AuthService", "Authenticate", { token })

const mint = async (subjectId: string) => {
  const res = await gql<{ createAccessToken: { token: string; credentialId: string } }>(
    t,
    admin,
    `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { token credentialId } }`,
    { input: { name: `remembered-${randomUUID()}`, subjectId, scoped: false, permissions: [] } },
  )
  expect(res.errors).toBeUndefined()
  const created = res.data?.createAccessToken
  if (created === undefined) throw new Error("no access token")
  return created
}

const mutate = async (mutation: string, id: string) => {
  const res = await gql(t, admin, `mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id })
  expect(res.errors).toBeUndefined()
}

describe("gRPC Authenticate answered from memory", () => {
  let fromMemory: ReturnType<typeof makeRememberedAuthenticate>
  beforeAll(async () => {
    fromMemory = makeRememberedAuthenticate(await t.atom.runtime.runtime())
  })

  /** Authenticates until the token is answered from memory; memory and the wire give the full path's answer. */
  const warmAuthenticate = async (token: string, expected: object) => {
    await warmUntilRemembered(
      () => authenticate(token),
      () => fromMemory({ token }) !== undefined,
    )
    expect(fromMemory({ token })).toEqual(expected)
    expect(await authenticate(token)).toEqual({ error: null, response: expected })
  }

  /** Right after a change: nothing remembered is trusted, and the very next call gets the contract's refusal. */
  const expectRefused = async (token: string, message: string) => {
    expect(fromMemory({ token })).toBeUndefined()
    const after = await authenticate(token)
    expect(after.response).toBeUndefined()
    expect(after.error?.code).toBe(grpc.status.UNAUTHENTICATED)
    expect(after.error?.details).toBe(message)
  }

  it("a warm session JWT is answered from memory; a logout is seen by the very next call", async () => {
    const session = await f.login()
    const sid = JSON.parse(Buffer.from(session.split(".")[1] ?? "", "base64url").toString()).sid
    expect(fromMemory({ token: session })).toBeUndefined()
    await warmAuthenticate(session, { entity_id: U, tenant_id: f.tenant, session_id: sid })
    // only a well-formed request for a remembered token is answered from memory
    expect(fromMemory({ token: `${session}x` })).toBeUndefined()
    expect(fromMemory({ token: `Bearer ${session}` })).toBeUndefined()
    expect(fromMemory({})).toBeUndefined()
    expect(fromMemory(undefined)).toBeUndefined()

    const out = await fetch(`${t.baseUrl}/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${session}` },
    })
    expect(out.status).toBeLessThan(300)
    await expectRefused(session, "session revoked")
  })

  it("a warm access token is answered from memory; a revocation or a disabled entity is seen by the very next call", async () => {
    const device = randomUUID()
    await f.sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'device', $2, $3)", [
      device,
      `remembered-device-${device}`,
      f.tenant,
    ])
    const expected = { entity_id: device, tenant_id: f.tenant, session_id: "" }
    const revoked = await mint(device)
    await warmAuthenticate(revoked.token, expected)
    const res = await gql(t, admin, `mutation($id: ID!) { revokeAccessToken(credentialId: $id) }`, {
      id: revoked.credentialId,
    })
    expect(res.errors).toBeUndefined()
    await expectRefused(revoked.token, "api key revoked")

    const kept = await mint(device)
    await warmAuthenticate(kept.token, expected)
    await mutate("disableEntity", device)
    await expectRefused(kept.token, "entity is not active")
  })

  it("a deactivated tenant or a disabled entity is seen by the very next call with a warm session JWT", async () => {
    const password = "another-long-enough-password-2"
    const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(password))))
    const tenant = randomUUID()
    await f.sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [tenant, `remembered-${tenant}`])
    const login = async () => {
      const id = randomUUID()
      await f.sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)", [
        id,
        `remembered-${id}`,
        tenant,
      ])
      await f.sql("INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)", [
        randomUUID(),
        id,
        hash,
      ])
      const session = await loginToken(t, `remembered-${id}`, password)
      const sid = JSON.parse(Buffer.from(session.split(".")[1] ?? "", "base64url").toString()).sid
      await warmAuthenticate(session, { entity_id: id, tenant_id: tenant, session_id: sid })
      return { id, session }
    }
    const disabled = await login()
    await mutate("disableEntity", disabled.id)
    await expectRefused(disabled.session, "entity is not active")

    const deactivated = await login()
    await mutate("disableTenant", tenant)
    await expectRefused(deactivated.session, "tenant is not active")
  })
})
