import { randomUUID } from "node:crypto"
import { AuditQueue } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { type GrpcResult, grpcCaller } from "./support/grpcClient.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string
let rpc: ReturnType<typeof grpcCaller>

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const PASSWORD = "a-long-enough-password-1"
const FAILURE_LIMIT = 3

beforeAll(async () => {
  t = await startTestAtom({ ATOM_LOGIN_FAILURE_LIMIT: String(FAILURE_LIMIT) })
  admin = await adminToken(t)
  rpc = grpcCaller(t.grpcAddress)
})
afterAll(async () => {
  rpc?.close()
  await t?.close()
})

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

const metadata = (authorization?: string) => {
  const m = new grpc.Metadata()
  if (authorization !== undefined) m.set("authorization", authorization)
  return m
}
const bearer = (token: string) => metadata(`Bearer ${token}`)

const expectStatus = (result: GrpcResult, code: grpc.status, details?: string | RegExp) => {
  expect(result.response).toBeUndefined()
  expect(result.error?.code).toBe(code)
  if (typeof details === "string") expect(result.error?.details).toBe(details)
  else if (details) expect(result.error?.details).toMatch(details)
}

const createTenant = async (alias: string, status = "active") => {
  const id = randomUUID()
  await sql("INSERT INTO tenants (id, name, alias, status) VALUES ($1, $2, $3, $4)", [
    id,
    `tenant-${alias}`,
    alias,
    status,
  ])
  return id
}

const createEntity = async (kind: string, name: string, tenantId: string | null, alias: string | null = null) => {
  const id = randomUUID()
  await sql("INSERT INTO entities (id, kind, name, tenant_id, alias) VALUES ($1, $2, $3, $4, $5)", [
    id,
    kind,
    name,
    tenantId,
    alias,
  ])
  return id
}

const setPassword = async (entityId: string, password = PASSWORD) => {
  const res = await gql(t, admin, `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`, {
    e: entityId,
    p: password,
  })
  expect(res.errors).toBeUndefined()
}

const mint = async (token: string, input: Record<string, unknown>) => {
  const res = await gql<{ createAccessToken: { token: string } }>(
    t,
    token,
    `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { token } }`,
    { input },
  )
  expect(res.errors).toBeUndefined()
  const minted = res.data?.createAccessToken.token
  if (!minted) throw new Error("no token")
  return minted
}

const sessionCount = async (entityId: string) =>
  (await sql<{ n: number }>("SELECT count(*)::int AS n FROM sessions WHERE entity_id = $1", [entityId]))[0]?.n

const authenticateCredential = (request: Record<string, unknown>, meta = bearer(admin)) =>
  rpc.call("atom.v1.AuthService", "AuthenticateCredential", request, meta)

const resolveAlias = (request: Record<string, unknown>, meta = bearer(admin)) =>
  rpc.call("atom.v1.AliasService", "ResolveAlias", request, meta)

describe("AuthService.Authenticate", () => {
  it("answers who a JWT or an access token is, with no caller metadata", async () => {
    const jwt = await rpc.call("atom.v1.AuthService", "Authenticate", { token: admin })
    expect(jwt.error).toBeNull()
    const sid = JSON.parse(Buffer.from(admin.split(".")[1] ?? "", "base64url").toString()).sid
    expect(jwt.response).toEqual({ entity_id: ADMIN_ID, tenant_id: "", session_id: sid })

    const tenantId = await createTenant("auth-tenant")
    const device = await createEntity("device", "auth-device", tenantId)
    const key = await mint(admin, { name: "dev", subjectId: device, scoped: false, permissions: [] })
    const byKey = await rpc.call("atom.v1.AuthService", "Authenticate", { token: key })
    expect(byKey.response).toEqual({ entity_id: device, tenant_id: tenantId, session_id: "" })
  })

  it("refuses bad tokens with UNAUTHENTICATED and the token's message", async () => {
    const call = (token: string) => rpc.call("atom.v1.AuthService", "Authenticate", { token })
    expectStatus(await call("atom_nope"), grpc.status.UNAUTHENTICATED, "malformed api key")
    expectStatus(
      await call(`atom_${"0".repeat(32)}_${"0".repeat(64)}`),
      grpc.status.UNAUTHENTICATED,
      "api key not found",
    )
    expectStatus(await call("not.a.jwt"), grpc.status.UNAUTHENTICATED, /^invalid token: /)
    expectStatus(await call(""), grpc.status.UNAUTHENTICATED)
    // the body carries the token without a scheme
    expectStatus(await call(`Bearer ${admin}`), grpc.status.UNAUTHENTICATED)

    const loggedOut = await loginToken(t, "admin", "test-admin-password-123")
    await gql(t, loggedOut, "mutation { logout }")
    expectStatus(await call(loggedOut), grpc.status.UNAUTHENTICATED, "session revoked")
  })
})

describe("AuthService.AuthenticateCredential", () => {
  it("needs caller metadata with a Bearer token", async () => {
    const request = { identifier: "admin", secret: "x" }
    expectStatus(
      await authenticateCredential(request, metadata()),
      grpc.status.UNAUTHENTICATED,
      "missing authorization metadata",
    )
    expectStatus(
      await authenticateCredential(request, metadata("Basic abc")),
      grpc.status.UNAUTHENTICATED,
      "expected Bearer token",
    )
    expectStatus(
      await authenticateCredential(request, metadata("bearer abc")),
      grpc.status.UNAUTHENTICATED,
      "expected Bearer token",
    )
    expectStatus(
      await authenticateCredential(request, bearer("atom_x")),
      grpc.status.UNAUTHENTICATED,
      "malformed api key",
    )
  })

  it("verifies a password by alias within a tenant alias, without opening a session", async () => {
    const tenantId = await createTenant("acme-grpc")
    const device = await createEntity("device", "sensor-one", tenantId, "sensor-1")
    await setPassword(device, "short-machine")
    const before = await sessionCount(device)
    const ok = await authenticateCredential({
      identifier: "Sensor-1",
      secret: "short-machine",
      kind: "",
      tenant_alias: "ACME-GRPC",
    })
    expect(ok.error).toBeNull()
    const [password] = await sql<{ id: string }>(
      "SELECT id FROM credentials WHERE entity_id = $1 AND kind = 'password'",
      [device],
    )
    expect(ok.response).toEqual({ entity_id: device, tenant_id: tenantId, credential_id: password?.id })
    expect(await sessionCount(device)).toBe(before)

    // by id, kind "PASSWORD" (trimmed, any case), with tenant_id
    const byId = await authenticateCredential({
      identifier: device,
      secret: "short-machine",
      kind: " PASSWORD ",
      tenant_id: tenantId,
    })
    expect(byId.response).toMatchObject({ entity_id: device, tenant_id: tenantId })
  })

  it("verifies shared keys with kind shared_key", async () => {
    const device = await createEntity("device", "grpc-shared", null)
    const created = await gql<{ createSharedKey: { credentialId: string; key: string } }>(
      t,
      admin,
      `mutation($e: ID!) { createSharedKey(entityId: $e, input: {}) { credentialId key } }`,
      { e: device },
    )
    const shared = created.data?.createSharedKey
    if (!shared) throw new Error("no shared key")
    const ok = await authenticateCredential({ identifier: "grpc-shared", secret: shared.key, kind: "shared_key" })
    expect(ok.response).toEqual({ entity_id: device, tenant_id: "", credential_id: shared.credentialId })
    // the same key is not a password
    expectStatus(
      await authenticateCredential({ identifier: "grpc-shared", secret: shared.key, kind: "password" }),
      grpc.status.UNAUTHENTICATED,
      "invalid credentials",
    )
  })

  it("answers INVALID_ARGUMENT for bad kinds and selectors", async () => {
    expectStatus(
      await authenticateCredential({ identifier: "admin", secret: "x", kind: "api_key" }),
      grpc.status.INVALID_ARGUMENT,
      "unsupported credential kind: expected password or shared_key",
    )
    expectStatus(
      await authenticateCredential({ identifier: "admin", secret: "x", tenant_id: "nope" }),
      grpc.status.INVALID_ARGUMENT,
      "invalid tenant_id: expected UUID",
    )
    expectStatus(
      await authenticateCredential({ identifier: "admin", secret: "x", tenant_id: randomUUID(), tenant_alias: "a" }),
      grpc.status.INVALID_ARGUMENT,
      "provide either tenant_id or tenant_alias, not both",
    )
  })

  it("answers UNAUTHENTICATED for bad secrets, unknown tenants and unverified emails", async () => {
    expectStatus(
      await authenticateCredential({
        identifier: "admin",
        secret: "wrong-password-123",
        tenant_alias: "no-such-tenant",
      }),
      grpc.status.UNAUTHENTICATED,
      "invalid credentials",
    )
    const frozen = await createTenant("frozen-grpc", "frozen")
    expectStatus(
      await authenticateCredential({ identifier: "x", secret: "y", tenant_id: frozen }),
      grpc.status.UNAUTHENTICATED,
      "tenant is not active",
    )
    const user = await createEntity("human", "unverified-grpc", null)
    await setPassword(user)
    await sql("INSERT INTO entity_emails (entity_id, email) VALUES ($1, 'unverified-grpc@example.test')", [user])
    expectStatus(
      await authenticateCredential({ identifier: "unverified-grpc@example.test", secret: PASSWORD }),
      grpc.status.UNAUTHENTICATED,
      "email verification required",
    )
    expectStatus(
      await authenticateCredential({ identifier: "unverified-grpc", secret: "not-the-password" }),
      grpc.status.UNAUTHENTICATED,
      "invalid credentials",
    )
    // refusals are always audited (hot path: allows only when enabled)
    await expect
      .poll(
        async () =>
          (
            await sql<{ details: string }>(
              `SELECT details::text AS details FROM audit_logs
             WHERE event = 'auth.credential_authenticate' AND outcome = 'deny' AND actor_id = $1`,
              [ADMIN_ID],
            )
          ).map((r) => JSON.parse(r.details).identifier),
        // queued, so written a moment later: on a loaded CI machine more than poll's default second
        { timeout: 10_000 },
      )
      .toContain("unverified-grpc")
  })

  it("shares the login lockout: RESOURCE_EXHAUSTED after the failure limit", async () => {
    const device = await createEntity("device", "locked-grpc", null)
    await setPassword(device, "right-secret")
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      expectStatus(
        await authenticateCredential({ identifier: "locked-grpc", secret: "wrong" }),
        grpc.status.UNAUTHENTICATED,
        "invalid credentials",
      )
    }
    expectStatus(
      await authenticateCredential({ identifier: "LOCKED-GRPC", secret: "right-secret" }),
      grpc.status.RESOURCE_EXHAUSTED,
      "too many failed login attempts",
    )
    // REST login counts the same attempts
    const rest = await fetch(`${t.baseUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "locked-grpc", secret: "right-secret" }),
    })
    expect(rest.status).toBe(429)
  })

  it("needs authz.check at the tenant or the platform: PERMISSION_DENIED otherwise", async () => {
    const caller = await createEntity("service", "grpc-no-grants", null)
    await setPassword(caller, "service-secret")
    const jwt = await loginToken(t, "grpc-no-grants", "service-secret")
    expectStatus(
      await authenticateCredential({ identifier: "admin", secret: "x" }, bearer(jwt)),
      grpc.status.PERMISSION_DENIED,
      "forbidden",
    )
    const tenantId = await createTenant("denied-tenant")
    expectStatus(
      await authenticateCredential({ identifier: "admin", secret: "x", tenant_id: tenantId }, bearer(jwt)),
      grpc.status.PERMISSION_DENIED,
      "forbidden",
    )

    // a scoped token carries authz.check only if its ceiling does
    const withCheck = await mint(admin, {
      name: "adapter",
      permissions: [{ actions: ["authz.check"], scopeMode: "platform" }],
    })
    const device = await createEntity("device", "adapter-target", null)
    await setPassword(device, "adapter-secret")
    const allowed = await authenticateCredential(
      { identifier: "adapter-target", secret: "adapter-secret" },
      bearer(withCheck),
    )
    expect(allowed.response).toMatchObject({ entity_id: device })
    const withoutCheck = await mint(admin, {
      name: "reader",
      permissions: [{ actions: ["read"], scopeMode: "platform" }],
    })
    expectStatus(
      await authenticateCredential({ identifier: "adapter-target", secret: "adapter-secret" }, bearer(withoutCheck)),
      grpc.status.PERMISSION_DENIED,
      "forbidden",
    )
  })
})

describe("auth.credential_authenticate allows in the audit log (hot path)", () => {
  // a second Atom with the hot-path allows stored; the file's Atom keeps the default (off)
  let hot: TestAtom
  let hotAdmin: string
  let hotRpc: ReturnType<typeof grpcCaller>
  beforeAll(async () => {
    hot = await startTestAtom({ ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED: "true" })
    hotAdmin = await adminToken(hot)
    hotRpc = grpcCaller(hot.grpcAddress)
  })
  afterAll(async () => {
    hotRpc?.close()
    await hot?.close()
  })

  const sqlOn = <A extends object>(atom: TestAtom, text: string, params: ReadonlyArray<unknown>) =>
    atom.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))
  const flushAudit = (atom: TestAtom) => atom.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush()))
  const allowRows = async (atom: TestAtom, credentialId: string) =>
    (
      await sqlOn<{ actorId: string; tenantId: string | null; targetKind: string; details: string; row: string }>(
        atom,
        `SELECT actor_id, tenant_id, target_kind, details::text AS details, row_to_json(audit_logs)::text AS row
         FROM audit_logs WHERE event = 'auth.credential_authenticate' AND outcome = 'allow' AND target_id = $1`,
        [credentialId],
      )
    ).map((r) => ({ ...r, details: JSON.parse(r.details) }))

  it("stores a successful authentication when ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED=true, without the secret", async () => {
    const secret = "hot-path-secret-123"
    const device = randomUUID()
    await sqlOn(hot, "INSERT INTO entities (id, kind, name) VALUES ($1, 'device', 'hot-path-device')", [device])
    const created = await gql(
      hot,
      hotAdmin,
      `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`,
      {
        e: device,
        p: secret,
      },
    )
    expect(created.errors).toBeUndefined()
    const ok = await hotRpc.call(
      "atom.v1.AuthService",
      "AuthenticateCredential",
      { identifier: "hot-path-device", secret },
      bearer(hotAdmin),
    )
    expect(ok.error).toBeNull()
    const credentialId = String(ok.response?.credential_id)
    expect(await flushAudit(hot)).toBe(true)
    const rows = await allowRows(hot, credentialId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      actorId: ADMIN_ID,
      tenantId: null,
      targetKind: "credential",
      details: { entity_id: device, credential_kind: "password", identifier: "hot-path-device", transport: "grpc" },
    })
    expect(Object.keys(rows[0]?.details ?? {}).sort()).toEqual([
      "credential_kind",
      "entity_id",
      "identifier",
      "transport",
    ])
    expect(rows[0]?.row).not.toContain(secret)
  })

  it("stores none by default (the flag off)", async () => {
    const device = await createEntity("device", "cold-path-device", null)
    await setPassword(device, "cold-path-secret-123")
    const ok = await authenticateCredential({ identifier: "cold-path-device", secret: "cold-path-secret-123" })
    expect(ok.error).toBeNull()
    const credentialId = String(ok.response?.credential_id)
    expect(await flushAudit(t)).toBe(true)
    expect(await allowRows(t, credentialId)).toEqual([])
  })
})

describe("AliasService.ResolveAlias", () => {
  it("resolves entity and resource aliases case-insensitively in a tenant or the global scope", async () => {
    const tenantId = await createTenant("alias-tenant")
    const device = await createEntity("device", "alias-device", tenantId, "dev-1")
    const resourceId = randomUUID()
    await sql("INSERT INTO resources (id, kind, name, alias) VALUES ($1, 'channel', 'global channel', 'chan-1')", [
      resourceId,
    ])

    const byId = await resolveAlias({ tenant_id: tenantId, object_kind: "entity", object_alias: "DEV-1" })
    expect(byId.response).toEqual({ tenant_id: tenantId, object_id: device })
    const byAlias = await resolveAlias({ tenant_alias: "Alias-Tenant", object_kind: " Entity ", object_alias: "dev-1" })
    expect(byAlias.response).toEqual({ tenant_id: tenantId, object_id: device })
    const global = await resolveAlias({ global: true, object_kind: "resource", object_alias: "Chan-1" })
    expect(global.response).toEqual({ tenant_id: "", object_id: resourceId })

    // any authenticated caller may resolve: a service without grants
    const caller = await createEntity("service", "alias-caller", null)
    await setPassword(caller, "alias-secret")
    const jwt = await loginToken(t, "alias-caller", "alias-secret")
    expect(
      (await resolveAlias({ global: true, object_kind: "resource", object_alias: "chan-1" }, bearer(jwt))).response,
    ).toEqual({
      tenant_id: "",
      object_id: resourceId,
    })
  })

  it("answers every documented error", async () => {
    const tenantId = await createTenant("alias-errors")
    const inactive = await createTenant("alias-inactive", "inactive")
    const cases: Array<[Record<string, unknown>, grpc.status, string]> = [
      [
        { object_kind: "entity", object_alias: "x" },
        grpc.status.INVALID_ARGUMENT,
        "provide exactly one tenant selector: tenant_id, tenant_alias, or global",
      ],
      [
        { tenant_id: tenantId, global: true, object_kind: "entity", object_alias: "x" },
        grpc.status.INVALID_ARGUMENT,
        "provide exactly one tenant selector: tenant_id, tenant_alias, or global",
      ],
      [
        { global: true, object_kind: "group", object_alias: "x" },
        grpc.status.INVALID_ARGUMENT,
        "invalid object_kind: expected 'entity' or 'resource'",
      ],
      [
        { tenant_id: "nope", object_kind: "entity", object_alias: "x" },
        grpc.status.INVALID_ARGUMENT,
        "invalid tenant_id: expected UUID",
      ],
      [
        { global: true, object_kind: "entity", object_alias: "  " },
        grpc.status.INVALID_ARGUMENT,
        "object_alias must not be empty",
      ],
      [
        { global: true, object_kind: "entity", object_alias: "Missing" },
        grpc.status.NOT_FOUND,
        "alias 'missing' not found in global scope",
      ],
      [
        { tenant_id: tenantId, object_kind: "resource", object_alias: "missing" },
        grpc.status.NOT_FOUND,
        `alias 'missing' not found in tenant ${tenantId}`,
      ],
      [
        { tenant_alias: "no-such", object_kind: "entity", object_alias: "x" },
        grpc.status.NOT_FOUND,
        "tenant alias 'no-such' not found",
      ],
      [
        { tenant_id: inactive, object_kind: "entity", object_alias: "x" },
        grpc.status.NOT_FOUND,
        `active tenant ${inactive} not found`,
      ],
    ]
    for (const [request, code, details] of cases) expectStatus(await resolveAlias(request), code, details)
    expectStatus(
      await resolveAlias({ global: true, object_kind: "entity", object_alias: "x" }, metadata()),
      grpc.status.UNAUTHENTICATED,
      "missing authorization metadata",
    )
  })
})
