import { randomUUID } from "node:crypto"
import { EntityId, TenantId } from "@atom/domain/authz"
import { ActionId } from "@atom/domain/policy"
import { AtomRpcError } from "@atom/domain/rpc"
import { NodeSocket } from "@effect/platform-node"
import { Effect, Either, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AtomRpcClient, layerHttp, layerWebSocket } from "../../client/src/rpc/index.js"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { devCaEnv } from "./support/devCaEnv.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// /rpc through the real listener: the typed AtomRpcClient over HTTP (NDJSON) and WebSocket, the same
// services and gates as GraphQL, Atom's errors as AtomRpcError, and raw NDJSON for what a typed client
// cannot send.

let t: TestAtom
let admin: string
let ca: Awaited<ReturnType<typeof devCaEnv>> | undefined

const READ = ActionId.make("00000000-0000-0000-0001-000000000001")
const PASSWORD = "rpc-user-password-123"

type Client = AtomRpcClient["Type"]

const viaHttp = <A, E>(token: string, body: (rpc: Client) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.flatMap(AtomRpcClient, body).pipe(Effect.provide(layerHttp({ baseUrl: t.baseUrl, token }))))

const viaWebSocket = <A, E>(token: string, body: (rpc: Client) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.flatMap(AtomRpcClient, body).pipe(
      Effect.provide(
        layerWebSocket({ baseUrl: t.baseUrl, token }).pipe(Layer.provide(NodeSocket.layerWebSocketConstructor)),
      ),
    ),
  )

/** The typed failure of a call, or a test failure when it succeeded or failed otherwise. */
const rpcError = <A, E>(effect: Effect.Effect<A, E | AtomRpcError>) =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result) && result.left instanceof AtomRpcError
      ? Effect.succeed({ code: result.left.code, message: result.left.message, status: result.left.status })
      : Effect.dieMessage(`expected an AtomRpcError, got ${JSON.stringify(result)}`),
  )

/** One raw NDJSON request to POST /rpc; the status and the parsed response lines. */
const rawRpc = async (body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.baseUrl}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/ndjson", ...headers },
    body,
  })
  const text = await res.text()
  // NDJSON only on success: a refused body (413, 429) is plain text
  const lines: Array<unknown> = (res.status === 200 ? text : "")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l))
  return { status: res.status, lines, text }
}

const request = (tag: string, payload: unknown) =>
  `${JSON.stringify({ _tag: "Request", id: "1", tag, payload, headers: [] })}\n`

beforeAll(async () => {
  // a CA from files, so certificates are issued on PGlite and Postgres alike
  ca = await devCaEnv()
  t = await startTestAtom(ca.env)
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
  ca?.remove()
})

describe("/rpc over HTTP", () => {
  it("admin builds a tenant, entities, a role and an assignment; the check allows, then denies once revoked", async () => {
    const name = `rpc-user-${randomUUID().slice(0, 8)}`
    const setup = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-${randomUUID()}` })
        const user = yield* rpc.CreateEntity({ name, kind: "human", tenantId: tenant.id })
        const target = yield* rpc.CreateEntity({
          name: `rpc-target-${randomUUID()}`,
          kind: "service",
          tenantId: tenant.id,
        })
        const block = yield* rpc.CreatePermissionBlock({
          tenantId: tenant.id,
          scopeMode: "object",
          objectKind: "entity",
          objectType: null,
          objectId: target.id,
          groupId: null,
          effect: "allow",
          conditions: {},
          actionIds: [READ],
        })
        const role = yield* rpc.CreateRole({ name: `reader-${randomUUID()}`, tenantId: tenant.id, description: null })
        yield* rpc.ReplaceRolePermissionBlocks({ roleId: role.id, permissionBlockIds: [block.id] })
        const assignment = yield* rpc.CreateRoleAssignment({
          tenantId: tenant.id,
          subjectKind: "entity",
          subjectId: user.id,
          roleId: role.id,
        })
        return { tenant, user, target, role, assignment }
      }),
    )
    expect(setup.tenant.createdAt).toBeInstanceOf(Date)
    expect(setup.user).toMatchObject({ name, kind: "human", tenantId: setup.tenant.id, status: "active" })
    expect(setup.assignment).toMatchObject({ roleId: setup.role.id, subjectId: setup.user.id })

    const question = {
      subjectId: setup.user.id,
      action: "read",
      objectKind: "entity",
      objectId: setup.target.id,
    }
    const before = await viaHttp(admin, (rpc) =>
      Effect.all({
        check: rpc.Check(question),
        bulk: rpc.BulkCheck({ checks: [question, { ...question, action: "update" }] }),
        tenant: rpc.GetTenant({ id: setup.tenant.id }),
        entities: rpc.ListEntities({ tenantId: setup.tenant.id }),
        assignments: rpc.ListRoleAssignments({ roleId: setup.role.id }),
        holders: rpc.RoleHolders({ roleId: setup.role.id }),
        access: rpc.EntityAccess({ entityId: setup.user.id }),
      }),
    )
    expect(before.check).toEqual({ allowed: true, reason: "allowed", details: null })
    expect(before.bulk.map((d) => d.allowed)).toEqual([true, false])
    expect(before.tenant.id).toBe(setup.tenant.id)
    expect(before.entities.total).toBe(2)
    expect(before.assignments.items.map((a) => a.id)).toEqual([setup.assignment.id])
    expect(before.holders).toMatchObject({ roleId: setup.role.id, total: 1 })
    expect(before.holders.items[0]).toMatchObject({ subjectId: setup.user.id, subjectKind: "entity" })
    expect(before.access.items.some((g) => g.action === "read" && g.roleId === setup.role.id)).toBe(true)

    const after = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        expect(yield* rpc.DeleteRoleAssignment({ id: setup.assignment.id })).toBe(true)
        return yield* rpc.Check(question)
      }),
    )
    expect(after).toEqual({ allowed: false, reason: "no matching allow policy", details: null })

    // the writes are in the audit log, read back over RPC
    const audit = await viaHttp(admin, (rpc) => rpc.ListAuditLogs({ tenantId: setup.tenant.id, limit: 100 }))
    expect(
      audit.items.some((row) => row.event === "role_assignment.delete" && row.targetId === setup.assignment.id),
    ).toBe(true)
    expect(audit.items.every((row) => row.createdAt instanceof Date)).toBe(true)
  })

  it("a non-admin caller gets Atom's forbidden; a missing entity its not-found", async () => {
    const name = `rpc-plain-${randomUUID().slice(0, 8)}`
    const user = await viaHttp(admin, (rpc) => rpc.CreateEntity({ name, kind: "human" }))
    const set = await gql(t, admin, `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`, {
      e: user.id,
      p: PASSWORD,
    })
    expect(set).toEqual({ data: { createPassword: true } })
    const token = await loginToken(t, name, PASSWORD)
    const refused = await viaHttp(token, (rpc) =>
      rpcError(rpc.CreateRole({ name: `global-${randomUUID()}`, tenantId: null, description: null })),
    )
    expect(refused).toEqual({ code: "Forbidden", message: "forbidden", status: 403 })
    const missing = randomUUID()
    const notFound = await viaHttp(admin, (rpc) => rpcError(rpc.GetEntity({ id: EntityId.make(missing) })))
    expect(notFound).toMatchObject({ code: "NotFound", status: 404 })
  })

  it("an unauthenticated call fails with Atom's unauthenticated error", async () => {
    const bogus = await viaHttp("not-a-token", (rpc) => rpcError(rpc.ListTenants({})))
    expect(bogus).toMatchObject({ code: "Unauthenticated", status: 401 })
    const raw = await rawRpc(request("ListTenants", {}))
    expect(raw.status).toBe(200)
    expect(raw.lines).toContainEqual(
      expect.objectContaining({
        _tag: "Exit",
        exit: expect.objectContaining({
          _tag: "Failure",
          cause: expect.objectContaining({
            error: expect.objectContaining({
              _tag: "AtomRpcError",
              code: "Unauthenticated",
              message: "missing authentication",
            }),
          }),
        }),
      }),
    )
    const basic = await rawRpc(request("ListTenants", {}), { authorization: "Basic abc" })
    expect(basic.text).toContain("Authorization header must use Bearer")
  })

  it("a malformed payload is a decode failure in the answer, never a 500; the body limit is 413", async () => {
    const bad = await rawRpc(request("GetTenant", { id: "not-a-uuid" }), { authorization: `Bearer ${admin}` })
    expect(bad.status).toBe(200)
    expect(bad.text).toContain('Expected a Universally Unique Identifier, actual \\"not-a-uuid\\"')
    expect(bad.lines).toContainEqual(
      expect.objectContaining({ _tag: "Exit", exit: expect.objectContaining({ _tag: "Failure" }) }),
    )
    const garbage = await rawRpc("{not json\n", { authorization: `Bearer ${admin}` })
    expect(garbage.status).toBeLessThan(500)
    const unknown = await rawRpc(request("DropDatabase", {}), { authorization: `Bearer ${admin}` })
    expect(unknown.status).toBeLessThan(500)
    const huge = await rawRpc(request("ListTenants", { q: "x".repeat(t.config.limits.graphqlBodyBytes) }))
    expect(huge.status).toBe(413)
  })
})

describe("/rpc credentials and certificates", () => {
  it("an access token minted over RPC authenticates RPC calls until it is revoked", async () => {
    const minted = await viaHttp(admin, (rpc) =>
      rpc.CreateAccessToken({ name: "rpc-token", permissions: [], scoped: false }),
    )
    expect(minted.token.startsWith("atom_")).toBe(true)
    const listed = await viaHttp(minted.token, (rpc) => rpc.ListTenants({ limit: 1 }))
    expect(listed.items.length).toBe(1)
    const credentials = await viaHttp(admin, (rpc) =>
      rpc.ListCredentials({ entityId: EntityId.make("00000000-0000-0000-0000-000000000001") }),
    )
    expect(credentials.some((c) => c.id === minted.credentialId && c.kind === "access_token")).toBe(true)
    expect(await viaHttp(admin, (rpc) => rpc.RevokeAccessToken({ credentialId: minted.credentialId }))).toBe(true)
    const after = await viaHttp(minted.token, (rpc) => rpcError(rpc.ListTenants({})))
    expect(after).toMatchObject({ code: "Unauthenticated", status: 401 })
  })

  it("issues, reads, lists and revokes a certificate; the key is shown once", async () => {
    const result = await viaHttp(admin, (rpc) =>
      Effect.gen(function* () {
        const device = yield* rpc.CreateEntity({ name: `rpc-device-${randomUUID()}`, kind: "device" })
        const issued = yield* rpc.IssueCertificate({ entityId: device.id, ttlSecs: 3600 })
        const bySerial = yield* rpc.GetCertificate({ serialNumber: issued.certificate.serialNumber })
        const byId = yield* rpc.GetCertificate({ credentialId: issued.certificate.credentialId })
        const listed = yield* rpc.ListCertificates({ entityId: device.id })
        const revoked = yield* rpc.RevokeCertificate({ serialNumber: issued.certificate.serialNumber })
        return { device, issued, bySerial, byId, listed, revoked }
      }),
    )
    expect(result.issued.privateKeyPem).toContain("BEGIN PRIVATE KEY")
    expect(result.issued.certificate).toMatchObject({ entityId: result.device.id, status: "active" })
    expect(result.issued.certificate.certificatePem).toContain("BEGIN CERTIFICATE")
    expect(result.bySerial).toEqual(result.issued.certificate)
    expect(result.byId).toEqual(result.issued.certificate)
    expect(result.listed.items.map((c) => c.serialNumber)).toEqual([result.issued.certificate.serialNumber])
    expect(result.revoked.status).toBe("revoked")
    expect(result.revoked.revokedAt).toBeInstanceOf(Date)
  })
})

describe("/rpc over WebSocket", () => {
  it("the same operations, errors and live decisions over one socket", async () => {
    const result = await viaWebSocket(admin, (rpc) =>
      Effect.gen(function* () {
        const tenant = yield* rpc.CreateTenant({ name: `rpc-ws-${randomUUID()}` })
        const got = yield* rpc.GetTenant({ id: tenant.id })
        const user = yield* rpc.CreateEntity({ name: `ws-user-${randomUUID()}`, kind: "human", tenantId: tenant.id })
        const check = yield* rpc.Check({
          subjectId: user.id,
          action: "read",
          objectKind: "tenant",
          objectId: tenant.id,
        })
        const missing = yield* rpcError(rpc.GetTenant({ id: TenantId.make(randomUUID()) }))
        return { tenant, got, check, missing }
      }),
    )
    expect(result.got).toEqual(result.tenant)
    expect(result.check.allowed).toBe(false)
    expect(result.missing).toMatchObject({ code: "NotFound", status: 404 })
    const refused = await viaWebSocket("not-a-token", (rpc) => rpcError(rpc.ListTenants({})))
    expect(refused).toMatchObject({ code: "Unauthenticated", status: 401 })
  })
})
