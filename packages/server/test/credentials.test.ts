import { randomUUID } from "node:crypto"
import { generateAccessToken } from "@atom/engines/tokens"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import * as grpc from "@grpc/grpc-js"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { grpcCaller } from "./support/grpcClient.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string
let rpc: ReturnType<typeof grpcCaller>

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const PASSWORD = "a-long-enough-password-1"
const TOKEN_SHAPE = /^atom_[0-9a-f]{32}_[0-9a-f]{64}$/

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  rpc = grpcCaller(t.grpcAddress)
})
afterAll(async () => {
  rpc?.close()
  await t?.close()
})

/** Runs SQL against the test Atom's database (fixtures and assertions on stored state). */
const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

const errorOf = (body: { errors?: Array<{ message: string }> }) => body.errors?.[0]?.message

const createEntity = async (kind: string, name: string, tenantId: string | null = null) => {
  const id = randomUUID()
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, $2, $3, $4)", [id, kind, name, tenantId])
  return id
}

const CREATE_PASSWORD = `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`

/** A human with a password and a session token; no grants of its own. */
const createHuman = async (name: string) => {
  const id = await createEntity("human", name)
  const res = await gql(t, admin, CREATE_PASSWORD, { e: id, p: PASSWORD })
  expect(res.errors).toBeUndefined()
  return { id, token: await loginToken(t, name, PASSWORD) }
}

interface TokenResponse {
  createAccessToken: {
    credentialId: string
    token: string
    name: string
    description: string | null
    expiresAt: string | null
  }
}
const CREATE_TOKEN = `mutation($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { credentialId token name description expiresAt } }`

const mint = (token: string, input: Record<string, unknown>) => gql<TokenResponse>(t, token, CREATE_TOKEN, { input })

const mintOk = async (token: string, input: Record<string, unknown>) => {
  const res = await mint(token, input)
  expect(res.errors).toBeUndefined()
  const created = res.data?.createAccessToken
  if (!created) throw new Error("no token minted")
  return created
}

interface ListedToken {
  credentialId: string
  name: string
  description: string | null
  identifier: string | null
  status: string
  scoped: boolean
  permissions: Array<{
    actions: Array<string>
    scopeMode: string
    tenantId: string | null
    objectKind: string | null
    objectType: string | null
    objectId: string | null
    conditions: unknown
  }>
  expiresAt: string | null
  lastUsedAt: string | null
  createdAt: string
}
const LIST_TOKENS = `query($s: ID, $st: String, $l: Int, $o: Int) {
  accessTokens(subjectId: $s, status: $st, limit: $l, offset: $o) {
    total items { credentialId name description identifier status scoped expiresAt lastUsedAt createdAt
      permissions { actions scopeMode tenantId objectKind objectType objectId conditions } } } }`
const listTokens = (token: string, vars: Record<string, unknown> = {}) =>
  gql<{ accessTokens: { total: number; items: Array<ListedToken> } }>(t, token, LIST_TOKENS, vars)

const EXPIRING = `query($d: Int, $e: ID, $k: CredentialKind) {
  expiringCredentials(days: $d, entityId: $e, kind: $k) { id entityId kind status expiresAt } }`
const REVOKE_TOKEN = `mutation($c: ID!) { revokeAccessToken(credentialId: $c) }`
const REPLACE = `mutation($c: ID!, $p: [AccessTokenPermissionInput!]!) {
  replaceAccessTokenPermissions(credentialId: $c, permissions: $p) }`
const CREDENTIALS = `query($e: ID!) { credentials(entityId: $e) { total items { id entityId kind identifier status expiresAt createdAt } } }`
const REVOKE_CREDENTIAL = `mutation($e: ID!, $c: ID!) { revokeCredential(entityId: $e, credentialId: $c) }`
const CREATE_SHARED = `mutation($e: ID!, $i: CreateSharedKeyInput!) { createSharedKey(entityId: $e, input: $i) { credentialId key expiresAt } }`
const REVEAL_SHARED = `mutation($e: ID!, $c: ID!) { revealSharedKey(entityId: $e, credentialId: $c) { credentialId key expiresAt } }`

const bearer = (token: string) => {
  const m = new grpc.Metadata()
  m.set("authorization", `Bearer ${token}`)
  return m
}

const postLogin = (body: Record<string, unknown>) =>
  fetch(`${t.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })

/**
 * A change written straight to the database reaches the credential cache through the revision feed,
 * which on Postgres is a notification delivered a moment later: the answer the request gets once the
 * cache has seen it (polled for up to 2 s; the last answer if it never comes).
 */
const errorOnceSeen = async (token: string, expected: string): Promise<string | undefined> => {
  const started = Date.now()
  for (;;) {
    const error = errorOf(await gql(t, token, "{ health }"))
    if (error === expected || Date.now() - started > 2000) return error
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe("unscoped API keys", () => {
  it("are minted once, authenticate on GraphQL and gRPC with the owner's authority, and die on revoke", async () => {
    const created = await mintOk(admin, { name: " ci key ", description: "for CI", scoped: false, permissions: [] })
    expect(created.token).toMatch(TOKEN_SHAPE)
    expect(created.name).toBe("ci key")
    expect(created.description).toBe("for CI")
    expect(created.credentialId).toBe(
      created.token.slice(5, 37).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
    )

    // only a verifier is stored: the HMAC digest under the KEK, never the token or an argon2 hash
    const [row] = await sql<{ hash: string | null; lookup: number; identifier: string; scoped: boolean }>(
      "SELECT secret_hash AS hash, octet_length(secret_lookup_hash) AS lookup, identifier, scoped FROM credentials WHERE id = $1",
      [created.credentialId],
    )
    expect(row).toEqual({ hash: null, lookup: 32, identifier: created.token.slice(0, 13), scoped: false })

    // the admin's full authority: a platform-manage gate passes
    const expiring = await gql(t, created.token, EXPIRING)
    expect(expiring.errors).toBeUndefined()
    // gRPC metadata Bearer
    const viaGrpc = await rpc.call("atom.v1.AuthService", "Authenticate", { token: created.token })
    expect(viaGrpc.error).toBeNull()
    expect(viaGrpc.response).toEqual({ entity_id: ADMIN_ID, tenant_id: "", session_id: "" })
    const aliasCall = await rpc.call(
      "atom.v1.AliasService",
      "ResolveAlias",
      { object_kind: "entity", object_alias: "no-such-alias", global: true },
      bearer(created.token),
    )
    expect(aliasCall.error?.code).toBe(grpc.status.NOT_FOUND)

    // listed without the secret
    const listed = await listTokens(admin)
    const item = listed.data?.accessTokens.items.find((i) => i.credentialId === created.credentialId)
    expect(item).toMatchObject({
      name: "ci key",
      identifier: created.token.slice(0, 13),
      scoped: false,
      status: "active",
    })
    expect(JSON.stringify(listed)).not.toContain(created.token)

    const revoked = await gql(t, admin, REVOKE_TOKEN, { c: created.credentialId })
    expect(revoked).toEqual({ data: { revokeAccessToken: true } })
    // idempotent
    expect(await gql(t, admin, REVOKE_TOKEN, { c: created.credentialId })).toEqual({
      data: { revokeAccessToken: true },
    })

    const after = await gql(t, created.token, "{ health }")
    expect(after).toEqual({ data: null, errors: [{ message: "api key revoked" }] })
    const afterGrpc = await rpc.call(
      "atom.v1.AliasService",
      "ResolveAlias",
      { object_kind: "entity", object_alias: "x", global: true },
      bearer(created.token),
    )
    expect(afterGrpc.error?.code).toBe(grpc.status.UNAUTHENTICATED)
    expect(afterGrpc.error?.details).toBe("api key revoked")
    const [revokedRow] = await sql<{ status: string; reason: string; meta: string }>(
      "SELECT status, revocation_reason AS reason, metadata->>'revocation_reason' AS meta FROM credentials WHERE id = $1",
      [created.credentialId],
    )
    expect(revokedRow).toEqual({ status: "revoked", reason: "manual", meta: "manual" })
  })

  it("refuses malformed, forged and unknown tokens with the contract's messages", async () => {
    const created = await mintOk(admin, { name: "forge-me", scoped: false, permissions: [] })
    const last = created.token.at(-1) === "0" ? "1" : "0"
    const forged = `${created.token.slice(0, -1)}${last}`
    const unknown = generateAccessToken().token
    const cases: Array<[string, string]> = [
      ["atom_xyz", "malformed api key"],
      [`${created.token}0`, "malformed api key"],
      [`atom_shared_${"a".repeat(32)}_${"b".repeat(64)}`, "malformed api key"],
      [forged, "invalid api key"],
      [unknown, "api key not found"],
    ]
    for (const [token, message] of cases) {
      expect(await gql(t, token, "{ health }")).toEqual({ data: null, errors: [{ message }] })
    }
    // the secret is checked before state: a forged secret of a revoked token is still "invalid api key"
    await gql(t, admin, REVOKE_TOKEN, { c: created.credentialId })
    expect(errorOf(await gql(t, forged, "{ health }"))).toBe("invalid api key")
  })

  it("checks expiry, the owner's status and the tenant after the secret", async () => {
    const tenantId = randomUUID()
    await sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [tenantId, `t-${tenantId.slice(0, 8)}`])
    const device = await createEntity("device", "expiring-device", tenantId)
    const key = await mintOk(admin, { name: "svc", subjectId: device, scoped: false, permissions: [] })
    expect(errorOf(await gql(t, key.token, "{ health }"))).toBeUndefined()
    // the delegated mint is audited in the owner's tenant, without the secret
    const [audit] = await sql<{ tenant: string; actor: string; details: string }>(
      `SELECT tenant_id AS tenant, actor_id AS actor, details::text AS details FROM audit_logs
       WHERE event = 'credential.create' AND target_id = $1`,
      [key.credentialId],
    )
    expect(audit?.tenant).toBe(tenantId)
    expect(audit?.actor).toBe(ADMIN_ID)
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({
      entity_id: device,
      kind: "access_token",
      scoped: false,
      delegated: true,
      name: "svc",
      credential_id: key.credentialId,
    })
    expect(audit?.details).not.toContain(key.token.slice(38))

    await sql("UPDATE credentials SET expires_at = now() - interval '1 minute' WHERE id = $1", [key.credentialId])
    expect(await errorOnceSeen(key.token, "api key expired")).toBe("api key expired")
    await sql("UPDATE credentials SET expires_at = NULL WHERE id = $1", [key.credentialId])

    await sql("UPDATE entities SET status = 'suspended' WHERE id = $1", [device])
    expect(await errorOnceSeen(key.token, "entity is not active")).toBe("entity is not active")
    await sql("UPDATE entities SET status = 'active' WHERE id = $1", [device])

    await sql("UPDATE tenants SET status = 'frozen' WHERE id = $1", [tenantId])
    expect(await errorOnceSeen(key.token, "tenant is not active")).toBe("tenant is not active")
    await sql("UPDATE tenants SET status = 'deleted', deleted_at = now() WHERE id = $1", [tenantId])
    expect(await errorOnceSeen(key.token, "api key not found")).toBe("api key not found")
  })

  it("verifies argon2 rows minted without a KEK and upgrades them to the keyed digest", async () => {
    const minted = generateAccessToken()
    const hash = await t.atom.runtime.runPromise(
      Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(minted.secret))),
    )
    await sql(
      `INSERT INTO credentials (id, entity_id, kind, identifier, secret_hash, metadata)
       VALUES ($1, $2, 'access_token', $3, $4, '{"name":"legacy"}')`,
      [minted.credentialId, ADMIN_ID, minted.identifier, hash],
    )
    const res = await rpc.call("atom.v1.AuthService", "Authenticate", { token: minted.token })
    expect(res.response).toEqual({ entity_id: ADMIN_ID, tenant_id: "", session_id: "" })
    const [row] = await sql<{ hash: string | null; lookup: number | null }>(
      "SELECT secret_hash AS hash, octet_length(secret_lookup_hash) AS lookup FROM credentials WHERE id = $1",
      [minted.credentialId],
    )
    expect(row).toEqual({ hash: null, lookup: 32 })
    // and it keeps working on the digest
    expect(errorOf(await gql(t, minted.token, "{ health }"))).toBeUndefined()
  })

  it("stamps lastUsedAt once, not on every use", async () => {
    const key = await mintOk(admin, { name: "stamp", scoped: false, permissions: [] })
    const stamp = async () =>
      (await listTokens(admin)).data?.accessTokens.items.find((i) => i.credentialId === key.credentialId)?.lastUsedAt
    expect(await stamp()).toBeNull()
    await gql(t, key.token, "{ health }")
    const first = await stamp()
    expect(first).toMatch(/\+00:00$/)
    await gql(t, key.token, "{ health }")
    expect(await stamp()).toBe(first)
  })
})

describe("scoped tokens", () => {
  it("are capped by their ceiling: allowed inside, forbidden outside, replaced ceilings count at once", async () => {
    const inside = await mintOk(admin, {
      name: "platform-manage",
      permissions: [{ actions: ["manage"], scopeMode: "platform" }],
    })
    expect(errorOf(await gql(t, inside.token, EXPIRING))).toBeUndefined()

    const outside = await mintOk(admin, {
      name: "entity-read",
      expiresAt: "2999-01-01T00:00:00Z",
      permissions: [{ actions: ["read"], scopeMode: "object_kind", objectKind: "entity" }],
    })
    expect(outside.expiresAt).toBe("2999-01-01T00:00:00.000+00:00")
    expect(errorOf(await gql(t, outside.token, EXPIRING))).toBe("forbidden")

    const replaced = await gql(t, admin, REPLACE, {
      c: outside.credentialId,
      p: [{ actions: ["manage", "read", "manage"], scopeMode: "platform" }],
    })
    expect(replaced).toEqual({ data: { replaceAccessTokenPermissions: true } })
    expect(errorOf(await gql(t, outside.token, EXPIRING))).toBeUndefined()
    const listed = (await listTokens(admin)).data?.accessTokens.items.find(
      (i) => i.credentialId === outside.credentialId,
    )
    expect(listed?.permissions).toEqual([
      {
        actions: ["manage", "read"],
        scopeMode: "platform",
        tenantId: null,
        objectKind: null,
        objectType: null,
        objectId: null,
        conditions: {},
      },
    ])
  })

  it("an empty stored ceiling permits nothing", async () => {
    const token = await mintOk(admin, {
      name: "emptied",
      permissions: [{ actions: ["manage"], scopeMode: "platform" }],
    })
    await sql("DELETE FROM credential_permission_limits WHERE credential_id = $1", [token.credentialId])
    expect(errorOf(await gql(t, token.token, EXPIRING))).toBe("forbidden")
  })

  it("can never mint, replace, revoke or manage credentials, but can list their own tokens", async () => {
    const scoped = await mintOk(admin, {
      name: "all-powerful",
      permissions: [{ actions: ["manage", "revoke", "read"], scopeMode: "platform" }],
    })
    const other = await mintOk(admin, { name: "victim", permissions: [{ actions: ["read"], scopeMode: "platform" }] })
    const device = await createEntity("device", "scoped-target")
    const attempts: Array<[string, Record<string, unknown>]> = [
      [CREATE_TOKEN, { input: { name: "x", permissions: [{ actions: ["read"], scopeMode: "platform" }] } }],
      [CREATE_TOKEN, { input: { name: "x", scoped: false, permissions: [] } }],
      [REPLACE, { c: other.credentialId, p: [{ actions: ["read"], scopeMode: "platform" }] }],
      [REPLACE, { c: scoped.credentialId, p: [{ actions: ["read"], scopeMode: "platform" }] }],
      [REVOKE_TOKEN, { c: other.credentialId }],
      [REVOKE_CREDENTIAL, { e: ADMIN_ID, c: other.credentialId }],
      [CREATE_PASSWORD, { e: device, p: "whatever-secret" }],
      [CREATE_SHARED, { e: device, i: {} }],
      [CREDENTIALS, { e: ADMIN_ID }],
    ]
    for (const [doc, vars] of attempts) {
      expect(errorOf(await gql(t, scoped.token, doc, vars)), doc).toBe("forbidden")
    }
    const own = await listTokens(scoped.token)
    expect(own.errors).toBeUndefined()
    expect(own.data?.accessTokens.total).toBeGreaterThan(0)
  })
})

describe("createAccessToken validation", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "blank name",
      { name: "  ", permissions: [{ actions: ["read"], scopeMode: "platform" }] },
      "access token name is required",
    ],
    ["empty ceiling", { name: "x", permissions: [] }, "access token requires at least one permission"],
    [
      "unscoped with permissions",
      { name: "x", scoped: false, permissions: [{ actions: ["read"], scopeMode: "platform" }] },
      "unscoped access token must not carry permissions",
    ],
    [
      "101 entries",
      { name: "x", permissions: Array.from({ length: 101 }, () => ({ actions: ["read"], scopeMode: "platform" })) },
      "access token supports at most 100 permissions",
    ],
    [
      "bad date",
      { name: "x", expiresAt: "tomorrow", permissions: [{ actions: ["read"], scopeMode: "platform" }] },
      "expiresAt must be RFC3339",
    ],
    [
      "past expiry",
      { name: "x", expiresAt: "2020-01-01T00:00:00Z", permissions: [{ actions: ["read"], scopeMode: "platform" }] },
      "access token expiration must be in the future",
    ],
    [
      "unknown action",
      { name: "x", permissions: [{ actions: ["read", "fly"], scopeMode: "platform" }] },
      "unknown action: fly",
    ],
    [
      "no actions",
      { name: "x", permissions: [{ actions: [], scopeMode: "platform" }] },
      "each permission requires at least one action",
    ],
    [
      "bare object type",
      {
        name: "x",
        permissions: [{ actions: ["read"], scopeMode: "object_type", objectKind: "entity", objectType: "device" }],
      },
      "object_type must be the full namespaced value matching object_kind, e.g. 'entity:device'",
    ],
    [
      "tenant on object",
      {
        name: "x",
        permissions: [{ actions: ["read"], scopeMode: "object", objectId: randomUUID(), tenantId: randomUUID() }],
      },
      "tenant_id is not supported for platform or object scope modes",
    ],
    [
      "tenant mode without tenant",
      { name: "x", permissions: [{ actions: ["read"], scopeMode: "tenant" }] },
      "invalid permission scope for access token",
    ],
    [
      "unknown scope mode",
      { name: "x", permissions: [{ actions: ["read"], scopeMode: "group" }] },
      "invalid permission scope for access token",
    ],
    [
      "non-object conditions",
      { name: "x", permissions: [{ actions: ["read"], scopeMode: "platform", conditions: [1] }] },
      "invalid permission scope for access token",
    ],
    [
      "unknown object kind",
      { name: "x", permissions: [{ actions: ["read"], scopeMode: "object_kind", objectKind: "planet" }] },
      "invalid permission scope for access token",
    ],
    [
      "bad tenant id",
      { name: "x", permissions: [{ actions: ["read"], scopeMode: "tenant", tenantId: "nope" }] },
      "tenantId must be a UUID",
    ],
    ["bad subject id", { name: "x", subjectId: "nope", permissions: [] }, "subjectId must be a UUID"],
  ]
  for (const [label, input, message] of cases) {
    it(`refuses ${label}`, async () => {
      expect(errorOf(await mint(admin, input))).toBe(message)
    })
  }

  it("stores each ceiling entry as given, conditions included", async () => {
    const tenantId = randomUUID()
    await sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [tenantId, `ceiling-${tenantId.slice(0, 8)}`])
    const objectId = randomUUID()
    const created = await mintOk(admin, {
      name: "shapes",
      description: "   ",
      permissions: [
        { actions: ["read"], scopeMode: "tenant", tenantId },
        {
          actions: ["write", "read"],
          scopeMode: "object_type",
          objectKind: "entity",
          objectType: "entity:device",
          tenantId,
        },
        { actions: ["read"], scopeMode: "object", objectId, conditions: { "entity.attributes.zone": "a" } },
      ],
    })
    expect(created.description).toBeNull()
    const item = (await listTokens(admin)).data?.accessTokens.items.find((i) => i.credentialId === created.credentialId)
    expect(item?.scoped).toBe(true)
    expect(item?.permissions).toEqual([
      {
        actions: ["read"],
        scopeMode: "tenant",
        tenantId,
        objectKind: null,
        objectType: null,
        objectId: null,
        conditions: {},
      },
      {
        actions: ["read", "write"],
        scopeMode: "object_type",
        tenantId,
        objectKind: "entity",
        objectType: "entity:device",
        objectId: null,
        conditions: {},
      },
      {
        actions: ["read"],
        scopeMode: "object",
        tenantId: null,
        objectKind: null,
        objectType: null,
        objectId,
        conditions: { "entity.attributes.zone": "a" },
      },
    ])
  })
})

describe("token lifecycle and listing", () => {
  it("lists, pages and filters the caller's own tokens", async () => {
    const user = await createHuman("lister")
    for (const name of ["one", "two", "three"]) {
      await mintOk(user.token, {
        name,
        permissions: [{ actions: ["read"], scopeMode: "object_kind", objectKind: "entity" }],
      })
    }
    const page = await listTokens(user.token, { l: 1, o: 1 })
    expect(page.data?.accessTokens.total).toBe(3)
    expect(page.data?.accessTokens.items.map((i) => i.name)).toEqual(["two"])
    expect((await listTokens(user.token)).data?.accessTokens.items.map((i) => i.name)).toEqual(["three", "two", "one"])
    expect(errorOf(await listTokens(user.token, { st: "nonsense" }))).toBe(
      "invalid status filter: nonsense (expected 'active' or 'revoked')",
    )
    expect((await listTokens(user.token, { st: "revoked" })).data?.accessTokens.total).toBe(0)
    // another subject's tokens need the credential gate
    expect(errorOf(await listTokens(user.token, { s: ADMIN_ID }))).toBe("forbidden")
    expect((await listTokens(admin, { s: user.id })).data?.accessTokens.total).toBe(3)
  })

  it("lets the owner or a delegated admin replace and revoke, and nobody else", async () => {
    const owner = await createHuman("token-owner")
    const outsider = await createHuman("token-outsider")
    const token = await mintOk(owner.token, {
      name: "mine",
      permissions: [{ actions: ["read"], scopeMode: "object_kind", objectKind: "entity" }],
    })
    // an unscoped human may mint its own unscoped key through the credential gate (self)
    const ownKey = await mintOk(owner.token, { name: "mine-too", scoped: false, permissions: [] })
    const replacement = [{ actions: ["read"], scopeMode: "object_kind", objectKind: "resource" }]

    expect(errorOf(await gql(t, outsider.token, REPLACE, { c: token.credentialId, p: replacement }))).toBe("forbidden")
    expect(errorOf(await gql(t, outsider.token, REVOKE_TOKEN, { c: token.credentialId }))).toBe("forbidden")
    expect(
      errorOf(await mint(outsider.token, { name: "for-owner", subjectId: owner.id, permissions: replacement })),
    ).toBe("forbidden")

    expect(errorOf(await gql(t, owner.token, REPLACE, { c: ownKey.credentialId, p: replacement }))).toBe(
      "cannot set permissions on an unscoped access token",
    )
    expect(errorOf(await gql(t, owner.token, REPLACE, { c: randomUUID(), p: replacement }))).toBe(
      "access token not found",
    )
    expect(errorOf(await gql(t, owner.token, REPLACE, { c: token.credentialId, p: [] }))).toBe(
      "access token requires at least one permission",
    )
    expect(errorOf(await gql(t, owner.token, REVOKE_TOKEN, { c: "nope" }))).toBe("credentialId must be a UUID")

    expect(await gql(t, owner.token, REPLACE, { c: token.credentialId, p: replacement })).toEqual({
      data: { replaceAccessTokenPermissions: true },
    })
    expect(await gql(t, admin, REPLACE, { c: token.credentialId, p: replacement })).toEqual({
      data: { replaceAccessTokenPermissions: true },
    })
    expect(await gql(t, owner.token, REVOKE_TOKEN, { c: token.credentialId })).toEqual({
      data: { revokeAccessToken: true },
    })
    expect(errorOf(await gql(t, token.token, "{ health }"))).toBe("api key revoked")
    expect(errorOf(await gql(t, owner.token, REPLACE, { c: token.credentialId, p: replacement }))).toBe(
      "access token not found",
    )
    expect(await gql(t, admin, REVOKE_TOKEN, { c: ownKey.credentialId })).toEqual({ data: { revokeAccessToken: true } })
  })

  it("mints delegated unscoped keys that authenticate as the subject with no ceiling", async () => {
    const device = await createEntity("service", "delegated-svc")
    const key = await mintOk(admin, { name: "svc", subjectId: device, scoped: false, permissions: [] })
    const res = await rpc.call("atom.v1.AuthService", "Authenticate", { token: key.token })
    expect(res.response).toEqual({ entity_id: device, tenant_id: "", session_id: "" })
    // the service holds no grants: its key cannot pass the platform gate
    expect(errorOf(await gql(t, key.token, EXPIRING))).toBe("forbidden")
    const own = await listTokens(key.token)
    expect(own.data?.accessTokens.items.map((i) => [i.name, i.scoped])).toEqual([["svc", false]])
    expect(
      errorOf(await mint(admin, { name: "svc", subjectId: randomUUID(), scoped: false, permissions: [] })),
    ).toMatch(/^entity [0-9a-f-]{36} not found$/)
    await sql("UPDATE entities SET status = 'inactive' WHERE id = $1", [device])
    expect(errorOf(await mint(admin, { name: "svc2", subjectId: device, scoped: false, permissions: [] }))).toBe(
      `active entity ${device} not found`,
    )
  })
})

describe("passwords and credential listing", () => {
  it("applies the password policy by entity kind and adds a usable password", async () => {
    const human = await createEntity("human", "policy-human")
    const machine = await createEntity("device", "policy-device")
    const expectError = async (e: string, p: string, message: string) =>
      expect(errorOf(await gql(t, admin, CREATE_PASSWORD, { e, p }))).toBe(message)
    await expectError(human, "short", "password must be at least 12 characters")
    await expectError(human, " ".repeat(14), "password cannot be blank")
    await expectError(machine, "   ", "password cannot be blank")
    await expectError("nope", PASSWORD, "entityId must be a UUID")
    const missing = randomUUID()
    await expectError(missing, PASSWORD, `entity ${missing} not found`)

    expect(await gql(t, admin, CREATE_PASSWORD, { e: machine, p: "short" })).toEqual({ data: { createPassword: true } })
    expect(await gql(t, admin, CREATE_PASSWORD, { e: human, p: PASSWORD })).toEqual({ data: { createPassword: true } })
    const token = await loginToken(t, "policy-human", PASSWORD)
    // self-service: the entity manages its own credentials
    expect(await gql(t, token, CREATE_PASSWORD, { e: human, p: "another-long-password" })).toEqual({
      data: { createPassword: true },
    })
    const [count] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM credentials WHERE entity_id = $1 AND kind = 'password' AND identifier IS NULL",
      [human],
    )
    expect(count?.n).toBe(2)
    // an outsider may not
    const outsider = await createHuman("password-outsider")
    expect(errorOf(await gql(t, outsider.token, CREATE_PASSWORD, { e: human, p: PASSWORD }))).toBe("forbidden")
  })

  it("lists an entity's credentials without secrets, newest first, behind the credential gate", async () => {
    const user = await createHuman("cred-lister")
    const token = await mintOk(user.token, { name: "t", permissions: [{ actions: ["read"], scopeMode: "platform" }] })
    const own = await gql<{ credentials: { total: number; items: Array<Record<string, unknown>> } }>(
      t,
      user.token,
      CREDENTIALS,
      { e: user.id },
    )
    expect(own.errors).toBeUndefined()
    expect(own.data?.credentials.total).toBe(2)
    expect(own.data?.credentials.items.map((i) => i.kind)).toEqual(["access_token", "password"])
    expect(own.data?.credentials.items[0]).toMatchObject({
      id: token.credentialId,
      entityId: user.id,
      identifier: token.token.slice(0, 13),
      status: "active",
      expiresAt: null,
    })
    expect(JSON.stringify(own)).not.toContain(token.token)
    expect(errorOf(await gql(t, user.token, CREDENTIALS, { e: ADMIN_ID }))).toBe("forbidden")
    expect((await gql(t, admin, CREDENTIALS, { e: user.id })).errors).toBeUndefined()
    const missing = randomUUID()
    expect(errorOf(await gql(t, admin, CREDENTIALS, { e: missing }))).toBe(`entity ${missing} not found`)
  })

  it("revokes credentials: login stops working, unknown ids are 404, certificates mark the CRL stale", async () => {
    const user = await createHuman("revoke-me")
    const [password] = await sql<{ id: string }>(
      "SELECT id FROM credentials WHERE entity_id = $1 AND kind = 'password'",
      [user.id],
    )
    expect(await gql(t, admin, REVOKE_CREDENTIAL, { e: user.id, c: password?.id })).toEqual({
      data: { revokeCredential: true },
    })
    const login = await postLogin({ identifier: "revoke-me", secret: PASSWORD })
    expect(login.status).toBe(401)
    expect(errorOf(await gql(t, admin, REVOKE_CREDENTIAL, { e: user.id, c: randomUUID() }))).toBe(
      "credential not found",
    )
    // a credential of another entity is "not found" for this one
    expect(errorOf(await gql(t, admin, REVOKE_CREDENTIAL, { e: ADMIN_ID, c: password?.id }))).toBe(
      "credential not found",
    )

    const device = await createEntity("device", "cert-device")
    const certId = randomUUID()
    const issuer = "b".repeat(64)
    await sql(
      `INSERT INTO credentials (id, entity_id, kind, identifier, serial_number, fingerprint_sha256, certificate_pem,
         not_before, not_after, expires_at, issuer_fingerprint_sha256)
       VALUES ($1, $2, 'certificate', 'ab01', 'ab01', $3, 'pem', now() - interval '1 day', now() + interval '1 day',
         now() + interval '1 day', $4)`,
      [certId, device, "a".repeat(64), issuer],
    )
    await sql("INSERT INTO crl_state (issuer_fingerprint_sha256, dirty) VALUES ($1, false)", [issuer])
    expect(await gql(t, admin, REVOKE_CREDENTIAL, { e: device, c: certId })).toEqual({
      data: { revokeCredential: true },
    })
    const [crl] = await sql<{ dirty: boolean }>("SELECT dirty FROM crl_state WHERE issuer_fingerprint_sha256 = $1", [
      issuer,
    ])
    expect(crl?.dirty).toBe(true)
  })

  it("reports expiring credentials to platform managers only", async () => {
    const device = await createEntity("device", "expiring-report")
    const soon = new Date(Date.now() + 10 * 86400_000).toISOString()
    const key = await mintOk(admin, {
      name: "soon",
      subjectId: device,
      scoped: false,
      permissions: [],
      expiresAt: soon,
    })
    const ids = async (vars: Record<string, unknown>) =>
      (
        await gql<{ expiringCredentials: Array<{ id: string; kind: string }> }>(t, admin, EXPIRING, vars)
      ).data?.expiringCredentials.map((c) => c.id)
    expect(await ids({ e: device })).toEqual([key.credentialId])
    expect(await ids({ e: device, d: 5 })).toEqual([])
    expect(await ids({ e: device, k: "password" })).toEqual([])
    expect(await ids({ e: device, k: "access_token" })).toEqual([key.credentialId])
    const user = await createHuman("expiring-outsider")
    expect(errorOf(await gql(t, user.token, EXPIRING))).toBe("forbidden")
  })
})

describe("shared keys", () => {
  it("are created for machines, revealed again, and log in with kind shared_key", async () => {
    const human = await createEntity("human", "shared-human")
    expect(errorOf(await gql(t, admin, CREATE_SHARED, { e: human, i: {} }))).toBe(
      "shared keys cannot be created for human entities",
    )

    const device = await createEntity("device", "shared-device")
    type Shared = { credentialId: string; key: string; expiresAt: string | null }
    const created = await gql<{ createSharedKey: Shared }>(t, admin, CREATE_SHARED, {
      e: device,
      i: { description: "mqtt" },
    })
    expect(created.errors).toBeUndefined()
    const shared = created.data?.createSharedKey
    if (!shared) throw new Error("no shared key")
    expect(shared.key).toMatch(/^atom_shared_[0-9a-f]{32}_[0-9a-f]{64}$/)
    expect(shared.key.slice(12, 44)).toBe(shared.credentialId.replace(/-/g, ""))

    // stored as verifiers and a sealed copy, never in clear
    const [row] = await sql<{ hash: string; lookup: number; alg: string; keyId: string; plain: boolean }>(
      `SELECT secret_hash AS hash, octet_length(secret_lookup_hash) AS lookup, secret_enc_alg AS alg,
         secret_key_id AS "keyId", position($2 in encode(secret_ciphertext, 'escape')) > 0 AS plain
       FROM credentials WHERE id = $1`,
      [shared.credentialId, shared.key],
    )
    expect(row).toMatchObject({ lookup: 32, alg: "AES-256-GCM", keyId: "local:v1", plain: false })
    expect(row?.hash).toMatch(/^\$argon2id\$/)

    const revealed = await gql<{ revealSharedKey: Shared }>(t, admin, REVEAL_SHARED, {
      e: device,
      c: shared.credentialId,
    })
    expect(revealed.data?.revealSharedKey).toEqual(shared)
    const reveals = await sql<{ details: string }>(
      "SELECT details::text AS details FROM audit_logs WHERE event = 'credential.reveal' AND target_id = $1",
      [device],
    )
    expect(reveals.map((r) => JSON.parse(r.details))).toEqual([
      expect.objectContaining({ kind: "shared_key", credential_id: shared.credentialId }),
    ])
    expect(JSON.stringify(reveals)).not.toContain(shared.key)

    const ok = await postLogin({ identifier: device, secret: shared.key, kind: "shared_key" })
    expect(ok.status).toBe(200)
    expect((await ok.json()).entity_id).toBe(device)
    const asPassword = await postLogin({ identifier: device, secret: shared.key, kind: "password" })
    expect(asPassword.status).toBe(401)
    expect(await asPassword.json()).toEqual({ error: "invalid credentials" })
    const gqlLogin = await gql<{ login: { entityId: string } }>(
      t,
      undefined,
      `mutation($i: LoginInput!) { login(input: $i) { entityId } }`,
      { i: { identifier: "shared-device", secret: shared.key, kind: "shared_key" } },
    )
    expect(gqlLogin.data?.login.entityId).toBe(device)

    // as a Bearer token a shared key is nothing
    expect(errorOf(await gql(t, shared.key, "{ health }"))).toBe("malformed api key")

    // an operator-chosen key works the same way (found by its digest)
    const chosen = await gql<{ createSharedKey: Shared }>(t, admin, CREATE_SHARED, {
      e: device,
      i: { key: "operator-chosen-secret", expiresAt: "2999-01-01T00:00:00+02:00" },
    })
    expect(chosen.data?.createSharedKey).toMatchObject({
      key: "operator-chosen-secret",
      expiresAt: "2998-12-31T22:00:00.000+00:00",
    })
    expect((await postLogin({ identifier: device, secret: "operator-chosen-secret", kind: "shared_key" })).status).toBe(
      200,
    )
    expect(errorOf(await gql(t, admin, CREATE_SHARED, { e: device, i: { key: "  " } }))).toBe(
      "password cannot be blank",
    )

    // revoked: reveal and login refuse it
    await gql(t, admin, REVOKE_CREDENTIAL, { e: device, c: shared.credentialId })
    expect(errorOf(await gql(t, admin, REVEAL_SHARED, { e: device, c: shared.credentialId }))).toBe(
      "shared key revoked",
    )
    expect((await postLogin({ identifier: device, secret: shared.key, kind: "shared_key" })).status).toBe(401)

    // expired
    const expiring = chosen.data?.createSharedKey.credentialId
    await sql("UPDATE credentials SET expires_at = now() - interval '1 minute' WHERE id = $1", [expiring])
    expect(errorOf(await gql(t, admin, REVEAL_SHARED, { e: device, c: expiring }))).toBe("shared key expired")

    expect(errorOf(await gql(t, admin, REVEAL_SHARED, { e: device, c: randomUUID() }))).toBe("shared key not found")
  })

  it("answers 'lost' when the sealed copy no longer opens, and gates reveal", async () => {
    const device = await createEntity("workload", "lost-key-device")
    const created = await gql<{ createSharedKey: { credentialId: string } }>(t, admin, CREATE_SHARED, {
      e: device,
      i: {},
    })
    const id = created.data?.createSharedKey.credentialId
    const outsider = await createHuman("reveal-outsider")
    expect(errorOf(await gql(t, outsider.token, REVEAL_SHARED, { e: device, c: id }))).toBe("forbidden")
    await sql("UPDATE credentials SET secret_nonce = decode(repeat('00', 12), 'hex') WHERE id = $1", [id])
    expect(errorOf(await gql(t, admin, REVEAL_SHARED, { e: device, c: id }))).toBe(
      "could not retrieve the shared key; the stored key is lost, please set a new shared key",
    )
  })
})
