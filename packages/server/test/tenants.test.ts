import { randomUUID } from "node:crypto"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string

const PASSWORD = "member-password-123"
const AUTHENTICATED_USERS = "00000000-0000-0000-0000-000000000005"
const ADMIN_ID = "00000000-0000-0000-0000-000000000001"

/** Runs SQL against the test Atom's own database. */
const db = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))

const rows = (f: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, unknown>) => db(f)

/** A human with a verified email and a password; global humans join `authenticated-users` as signup does. */
const human = async (name: string, options: { tenantId?: string } = {}) => {
  const id = randomUUID()
  const email = `${name}@example.test`
  const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD))))
  await db((sql) =>
    Effect.all([
      sql`INSERT INTO entities (id, kind, name, tenant_id) VALUES (${id}, 'human', ${name}, ${options.tenantId ?? null})`,
      sql`INSERT INTO entity_emails (entity_id, email, verified_at) VALUES (${id}, ${email}, now())`,
      sql`INSERT INTO credentials (entity_id, kind, secret_hash) VALUES (${id}, 'password', ${hash})`,
      options.tenantId === undefined
        ? sql`INSERT INTO principal_group_members (group_id, entity_id) VALUES (${AUTHENTICATED_USERS}, ${id})`
        : sql`SELECT 1`,
      sql`UPDATE authz_revision SET revision = revision + 1`,
    ]),
  )
  // a unique name logs in without a tenant selector, tenant-owned or not
  const token = await loginToken(t, name, PASSWORD)
  return { id, name, email, token }
}

/** The audit rows of a target, waiting for the queue's writer to store `event`. */
const auditOf = async (targetId: string, event: string) => {
  for (let i = 0; i < 50; i++) {
    const found = await rows(
      (sql) => sql`SELECT event, outcome, actor_id, tenant_id, details::text AS details FROM audit_logs
                   WHERE target_id = ${targetId} AND event = ${event}`,
    )
    if (found.length > 0) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return []
}

/** A response value in the shape a test relies on, checked (a mismatch fails the test). */
const checked = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A => Schema.decodeUnknownSync(schema)(value)

const TenantShape = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  alias: Schema.NullOr(Schema.String),
  status: Schema.String,
  tags: Schema.Array(Schema.String),
  attributes: Schema.Unknown,
  createdBy: Schema.NullOr(Schema.String),
  deletedAt: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
})
const IdShape = Schema.Struct({ id: Schema.String })
const ListShape = Schema.Struct({ items: Schema.Array(IdShape), total: Schema.Number })
const InvitationShape = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.String,
  inviteeUserId: Schema.NullOr(Schema.String),
  inviteeName: Schema.NullOr(Schema.String),
  inviteeEmail: Schema.NullOr(Schema.String),
  invitedBy: Schema.String,
  roleId: Schema.NullOr(Schema.String),
  roleName: Schema.NullOr(Schema.String),
  acceptedAt: Schema.NullOr(Schema.String),
  rejectedAt: Schema.NullOr(Schema.String),
  revokedAt: Schema.NullOr(Schema.String),
  createdAt: Schema.String,
  updatedAt: Schema.NullOr(Schema.String),
})

interface Gql {
  readonly data: Record<string, unknown> | null
  readonly errors?: ReadonlyArray<{ readonly message: string }> | undefined
}

/** The data of a successful call; fails the test with the errors otherwise. */
const ok = async (token: string | undefined, query: string, vars: Record<string, unknown> = {}) => {
  const res: Gql = await gql(t, token, query, vars)
  if (res.errors?.length) throw new Error(`${query}\n→ ${JSON.stringify(res.errors)}`)
  return res.data ?? {}
}

/** The first error message of a call that must fail. */
const err = async (token: string | undefined, query: string, vars: Record<string, unknown> = {}) => {
  const res: Gql = await gql(t, token, query, vars)
  expect(res.errors, `expected ${query} to fail`).toBeDefined()
  return res.errors?.[0]?.message ?? ""
}

const TENANT_FIELDS = "id name alias status tags attributes createdBy updatedBy deletedAt deletedBy createdAt updatedAt"

const createTenant = async (token: string, input: Record<string, unknown>) => {
  const data = await ok(
    token,
    `mutation($input: CreateTenantInput!) { createTenant(input: $input) { ${TENANT_FIELDS} } }`,
    { input },
  )
  return checked(TenantShape, data.createTenant)
}

const readTenant = (token: string, id: string) =>
  gql(t, token, `query($id: ID!) { tenant(id: $id) { id status } }`, { id })

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
})

describe("createTenant", () => {
  it("bootstraps tenant-admin for a self-service creator in one go", async () => {
    const alice = await human("alice")
    const tenant = await createTenant(alice.token, {
      name: "acme",
      alias: "  Acme-1 ",
      tags: ["iot", "eu"],
      attributes: { plan_tier: "gold", nested: { max_devices: 5 } },
    })
    expect(tenant).toMatchObject({
      name: "acme",
      alias: "acme-1",
      status: "active",
      tags: ["iot", "eu"],
      attributes: { plan_tier: "gold", nested: { max_devices: 5 } },
      createdBy: alice.id,
      deletedAt: null,
    })
    expect(tenant.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/)

    // the role, its single tenant-scope block with exactly the nine actions, the bounded assignment
    const roles = await rows(
      (sql) => sql`SELECT r.id, b.scope_mode, b.tenant_id AS block_tenant, b.effect,
                     (SELECT array_agg(a.name ORDER BY a.name) FROM permission_block_actions pba
                      JOIN actions a ON a.id = pba.action_id WHERE pba.permission_block_id = b.id) AS actions
                   FROM roles r JOIN role_permission_blocks l ON l.role_id = r.id
                   JOIN permission_blocks b ON b.id = l.permission_block_id
                   WHERE r.tenant_id = ${tenant.id} AND r.name = 'tenant-admin'`,
    )
    expect(roles).toHaveLength(1)
    expect(roles[0]).toMatchObject({ scopeMode: "tenant", blockTenant: tenant.id, effect: "allow" })
    expect(roles[0]?.actions).toEqual(
      ["delete", "execute", "manage", "policy.manage", "publish", "read", "role.manage", "subscribe", "write"].sort(),
    )
    const assignments = await rows(
      (sql) => sql`SELECT tenant_id, subject_id FROM role_assignments WHERE role_id = ${String(roles[0]?.id)}`,
    )
    expect(assignments).toEqual([{ tenantId: tenant.id, subjectId: alice.id }])

    const mine = await ok(
      alice.token,
      `query($t: ID!) { myTenantRoles(tenantId: $t) { roleId roleName actions assignmentPaths } }`,
      { t: tenant.id },
    )
    expect(mine.myTenantRoles).toEqual([
      {
        roleId: roles[0]?.id,
        roleName: "tenant-admin",
        actions: [
          "delete",
          "execute",
          "manage",
          "policy.manage",
          "publish",
          "read",
          "role.manage",
          "subscribe",
          "write",
        ],
        assignmentPaths: ["direct"],
      },
    ])
    const members = await ok(
      alice.token,
      `query($t: ID!) { tenantMembers(tenantId: $t) { items { id name kind } total } }`,
      {
        t: tenant.id,
      },
    )
    expect(members.tenantMembers).toEqual({ items: [{ id: alice.id, name: "alice", kind: "human" }], total: 1 })

    // the creator manages it: reads it and, as the reference allows, renames it
    expect((await readTenant(alice.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })
    const renamed = await ok(
      alice.token,
      `mutation($id: ID!) { updateTenant(id: $id, input: { name: "acme-renamed", attributes: { plan_tier: "silver" } }) { name alias attributes updatedBy } }`,
      { id: tenant.id },
    )
    expect(renamed.updateTenant).toEqual({
      name: "acme-renamed",
      alias: "acme-1",
      attributes: { plan_tier: "silver" },
      updatedBy: alice.id,
    })
    const cleared = await ok(
      alice.token,
      `mutation($id: ID!) { updateTenant(id: $id, input: { alias: null }) { alias name } }`,
      {
        id: tenant.id,
      },
    )
    expect(cleared.updateTenant).toEqual({ alias: null, name: "acme-renamed" })
  })

  it("accepts an explicit id and refuses duplicates, bad ids and bad aliases", async () => {
    const id = randomUUID()
    const tenant = await createTenant(admin, { id: id.toUpperCase(), name: "dup-one", alias: "dup-one" })
    expect(tenant.id).toBe(id)
    const create = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id } }`
    expect(await err(admin, create, { input: { id, name: "other" } })).toBe("already exists")
    expect(await err(admin, create, { input: { name: "dup-one" } })).toBe("already exists")
    expect(await err(admin, create, { input: { name: "dup-two", alias: "DUP-ONE" } })).toBe("already exists")
    expect(await err(admin, create, { input: { id: "not-a-uuid", name: "x" } })).toBe("id must be a UUID")
    expect(await err(admin, create, { input: { name: "   " } })).toBe("name is required")
    expect(await err(admin, create, { input: { name: "x1", attributes: [1, 2] } })).toBe(
      "attributes must be a JSON object",
    )
    const aliases: Array<[string, string]> = [
      ["a".repeat(64), "alias must be at most 63 characters"],
      [randomUUID(), "alias must not be UUID-shaped"],
      ["0123456789abcdef0123456789abcdef", "alias must not be UUID-shaped"],
      ["bad_alias", "alias may contain only lowercase letters, digits, and '-'"],
      ["-lead", "alias must start with a letter or digit"],
      ["trail-", "alias must not end with '-'"],
    ]
    for (const [alias, message] of aliases) {
      expect(await err(admin, create, { input: { name: `n-${alias.length}-${alias.slice(0, 3)}`, alias } })).toContain(
        message,
      )
    }
    // a blank alias means none
    expect((await createTenant(admin, { name: "blank-alias", alias: "   " })).alias).toBeNull()
  })

  it("answers malformed and unknown ids with the contract's messages", async () => {
    expect(await err(admin, `{ tenant(id: "nope") { id } }`)).toBe("id must be a UUID")
    expect(await err(admin, `{ tenantMembers(tenantId: "x1") { total } }`)).toBe("tenantId must be a UUID")
    expect(await err(admin, `{ myTenantRoles(tenantId: "zz") { roleId } }`)).toBe("tenantId must be a UUID")
    const unknown = randomUUID()
    expect(await err(admin, `query($id: ID!) { tenant(id: $id) { id } }`, { id: unknown })).toBe(
      `tenant ${unknown} not found`,
    )
    expect(
      await err(admin, `mutation($id: ID!) { updateTenant(id: $id, input: { name: "x" }) { id } }`, { id: unknown }),
    ).toBe(`tenant ${unknown} not found`)
    expect(await err(admin, `mutation($id: ID!) { freezeTenant(id: $id) { id } }`, { id: unknown })).toBe(
      `tenant ${unknown} not found`,
    )
    expect(await err(undefined, `{ tenants { total } }`)).toBe("missing authentication")
  })
})

describe("membership", () => {
  it("a member reads the tenant but cannot manage it; removal takes that away", async () => {
    const owner = await human("owner1")
    const bob = await human("bob")
    const tenant = await createTenant(owner.token, { name: "bobs-club" })
    const other = await createTenant(admin, { name: "not-bobs" })

    expect((await readTenant(bob.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")
    const add = `mutation($t: ID!, $e: ID!) { addTenantMember(tenantId: $t, entityId: $e) }`
    expect(await err(bob.token, add, { t: tenant.id, e: bob.id })).toBe("forbidden")
    expect((await ok(owner.token, add, { t: tenant.id, e: bob.id })).addTenantMember).toBe(true)

    expect((await readTenant(bob.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })
    expect(
      await err(bob.token, `mutation($id: ID!) { updateTenant(id: $id, input: { name: "mine" }) { id } }`, {
        id: tenant.id,
      }),
    ).toBe("forbidden")
    expect(await err(bob.token, `query($t: ID!) { tenantMembers(tenantId: $t) { total } }`, { t: tenant.id })).toBe(
      "forbidden",
    )
    expect((await readTenant(bob.token, other.id)).errors?.[0]?.message).toBe("forbidden")

    // bob's listing holds exactly the tenant he can read
    const listed = await ok(bob.token, `{ tenants { items { id } total } }`)
    expect(listed.tenants).toEqual({ items: [{ id: tenant.id }], total: 1 })
    expect(await err(bob.token, `{ tenants(deleted: all) { total } }`)).toBe("forbidden")

    const members = await ok(
      owner.token,
      `query($t: ID!) { tenantMembers(tenantId: $t, q: "bo") { items { id } total } }`,
      {
        t: tenant.id,
      },
    )
    expect(members.tenantMembers).toEqual({ items: [{ id: bob.id }], total: 1 })

    const remove = `mutation($t: ID!, $e: ID!) { removeTenantMember(tenantId: $t, entityId: $e) }`
    expect(await err(bob.token, remove, { t: tenant.id, e: bob.id })).toBe("forbidden")
    expect((await ok(owner.token, remove, { t: tenant.id, e: bob.id })).removeTenantMember).toBe(true)
    expect((await readTenant(bob.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")
    expect(await err(owner.token, remove, { t: tenant.id, e: bob.id })).toBe("tenant member not found")
    expect(await err(owner.token, add, { t: tenant.id, e: randomUUID() })).toMatch(/^entity .* not found$/)
  })

  it("adds a member with a role of the tenant, and lists assignable humans", async () => {
    const owner = await human("owner2")
    const carl = await human("carlos")
    const tenant = await createTenant(owner.token, { name: "carl-co" })
    const assignable = `query($t: ID!, $q: String!) { tenantAssignableEntities(tenantId: $t, q: $q) { items { id } total } }`
    expect(await err(owner.token, assignable, { t: tenant.id, q: " ca " })).toBe("q must contain at least 3 characters")
    expect((await ok(owner.token, assignable, { t: tenant.id, q: "carlos" })).tenantAssignableEntities).toEqual({
      items: [{ id: carl.id }],
      total: 1,
    })

    const [role] = await rows(
      (sql) => sql`SELECT id FROM roles WHERE tenant_id = ${tenant.id} AND name = 'tenant-admin'`,
    )
    const add = `mutation($t: ID!, $e: ID!, $r: ID) { addTenantMember(tenantId: $t, entityId: $e, roleId: $r) }`
    expect(await err(owner.token, add, { t: tenant.id, e: carl.id, r: randomUUID() })).toMatch(/^role .* not found$/)
    expect((await ok(owner.token, add, { t: tenant.id, e: carl.id, r: role?.id })).addTenantMember).toBe(true)
    // upsert: adding again changes nothing and creates no second assignment
    expect((await ok(owner.token, add, { t: tenant.id, e: carl.id, r: role?.id })).addTenantMember).toBe(true)
    const held = await ok(carl.token, `query($t: ID!) { myTenantRoles(tenantId: $t) { roleName assignmentPaths } }`, {
      t: tenant.id,
    })
    expect(held.myTenantRoles).toEqual([{ roleName: "tenant-admin", assignmentPaths: ["direct"] }])
    // now a tenant admin, carlos may rename the tenant
    expect(
      (
        await ok(carl.token, `mutation($id: ID!) { updateTenant(id: $id, input: { tags: ["x"] }) { tags } }`, {
          id: tenant.id,
        })
      ).updateTenant,
    ).toEqual({ tags: ["x"] })
    expect((await ok(owner.token, assignable, { t: tenant.id, q: "carlos" })).tenantAssignableEntities).toEqual({
      items: [],
      total: 0,
    })
  })
})

describe("tenant lifecycle", () => {
  it("disable, freeze and enable are platform-only and decide reads at once", async () => {
    const owner = await human("owner3")
    const tenant = await createTenant(owner.token, { name: "frosty" })
    const freeze = `mutation($id: ID!) { freezeTenant(id: $id) { id status } }`
    expect(await err(owner.token, freeze, { id: tenant.id })).toBe("forbidden")
    expect(await err(owner.token, `mutation($id: ID!) { deleteTenant(id: $id) }`, { id: tenant.id })).toBe("forbidden")

    expect((await ok(admin, freeze, { id: tenant.id })).freezeTenant).toEqual({ id: tenant.id, status: "frozen" })
    // the PDP denies any object of a frozen tenant, the tenant itself included, whoever asks
    const check = `mutation($s: ID!, $o: ID!) { authzCheck(input: { subjectId: $s, action: "read", objectKind: "tenant", objectId: $o }) { allowed reason details } }`
    const checkMe = async () => (await ok(owner.token, check, { s: owner.id, o: tenant.id })).authzCheck
    expect(await checkMe()).toEqual({
      allowed: false,
      reason: "tenant is frozen",
      details: { tenant_id: tenant.id, tenant_status: "frozen" },
    })
    expect((await readTenant(owner.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")
    expect((await readTenant(admin, tenant.id)).errors?.[0]?.message).toBe("forbidden")
    expect(
      await err(owner.token, `mutation($id: ID!) { updateTenant(id: $id, input: { name: "y" }) { id } }`, {
        id: tenant.id,
      }),
    ).toBe("forbidden")
    const frozen = await ok(
      admin,
      `query($id: String) { tenants(name: $id, status: frozen) { items { id status } total } }`,
      {
        id: "frosty",
      },
    )
    expect(frozen.tenants).toEqual({ items: [{ id: tenant.id, status: "frozen" }], total: 1 })
    expect((await ok(owner.token, `{ tenants(name: "frosty") { total } }`)).tenants).toEqual({ total: 0 })

    expect(
      (await ok(admin, `mutation($id: ID!) { enableTenant(id: $id) { status } }`, { id: tenant.id })).enableTenant,
    ).toEqual({
      status: "active",
    })
    expect((await readTenant(owner.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })
    expect(await checkMe()).toMatchObject({ allowed: true, reason: "allowed" })
    expect(
      (await ok(admin, `mutation($id: ID!) { disableTenant(id: $id) { status } }`, { id: tenant.id })).disableTenant,
    ).toEqual({ status: "inactive" })
    expect((await readTenant(owner.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")
  })

  it("delete revokes the tenant's credentials and sessions; restore brings back non-certificates only; purge removes", async () => {
    const owner = await human("owner4")
    const tenant = await createTenant(owner.token, { name: "doomed", alias: "doomed" })
    const worker = await human("worker", { tenantId: tenant.id })
    const cert = randomUUID()
    await db(
      (sql) => sql`INSERT INTO credentials (id, entity_id, kind, identifier, serial_number, fingerprint_sha256,
                     certificate_pem, not_before, not_after, expires_at, issuer_fingerprint_sha256)
                   VALUES (${cert}, ${worker.id}, 'certificate', 'abcd', 'abcd', ${"a".repeat(64)}, 'PEM',
                     now() - interval '1 day', now() + interval '1 day', now() + interval '1 day', ${"b".repeat(64)})`,
    )
    // a platform block elsewhere that targets the worker: purge must not leave it dangling
    const block = randomUUID()
    await db(
      (sql) => sql`INSERT INTO permission_blocks (id, scope_mode, object_id) VALUES (${block}, 'object', ${worker.id})`,
    )
    expect((await gql(t, worker.token, `{ health }`)).data).toEqual({ health: "ok" })

    const del = `mutation($id: ID!) { deleteTenant(id: $id) }`
    expect((await ok(admin, del, { id: tenant.id })).deleteTenant).toBe(true)
    expect(await err(admin, del, { id: tenant.id })).toBe(`tenant ${tenant.id} not found`)
    expect((await readTenant(admin, tenant.id)).errors?.[0]?.message).toBeDefined()
    expect((await readTenant(owner.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")
    expect((await gql(t, worker.token, `{ health }`)).errors).toBeDefined()
    const creds = () =>
      rows(
        (sql) =>
          sql`SELECT kind, status, revocation_reason FROM credentials WHERE entity_id = ${worker.id} ORDER BY kind`,
      )
    expect(await creds()).toEqual([
      { kind: "certificate", status: "revoked", revocationReason: "tenant_deleted" },
      { kind: "password", status: "revoked", revocationReason: "tenant_deleted" },
    ])
    expect(await err(admin, `mutation($id: ID!) { enableTenant(id: $id) { id } }`, { id: tenant.id })).toBe(
      `tenant ${tenant.id} not found`,
    )
    expect(await err(owner.token, `{ tenants(deleted: deleted) { total } }`)).toBe("forbidden")
    const deleted = await ok(
      admin,
      `{ tenants(deleted: deleted, alias: "DOOMED") { items { id status deletedBy } total } }`,
    )
    expect(deleted.tenants).toEqual({ items: [{ id: tenant.id, status: "deleted", deletedBy: ADMIN_ID }], total: 1 })
    expect(await err(owner.token, `mutation($id: ID!) { restoreTenant(id: $id) { id } }`, { id: tenant.id })).toBe(
      "forbidden",
    )

    const restore = `mutation($id: ID!) { restoreTenant(id: $id) { id status deletedAt } }`
    expect((await ok(admin, restore, { id: tenant.id })).restoreTenant).toEqual({
      id: tenant.id,
      status: "active",
      deletedAt: null,
    })
    expect(await err(admin, restore, { id: tenant.id })).toBe(`no soft-deleted tenant ${tenant.id} to restore`)
    expect(await creds()).toEqual([
      { kind: "certificate", status: "revoked", revocationReason: "tenant_deleted" },
      { kind: "password", status: "active", revocationReason: null },
    ])
    // sessions stay revoked, the password works again
    expect((await gql(t, worker.token, `{ health }`)).errors?.[0]?.message).toBe("session revoked")
    const again = await fetch(`${t.baseUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identifier: "worker", secret: PASSWORD, tenant_id: tenant.id }),
    })
    expect(again.status).toBe(200)
    expect((await readTenant(owner.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })
    expect(await auditOf(tenant.id, "tenant.restore")).toEqual([
      {
        event: "tenant.restore",
        outcome: "allow",
        actorId: ADMIN_ID,
        tenantId: tenant.id,
        details: '{"tenant_name": "doomed"}',
      },
    ])

    const purge = `mutation($id: ID!) { purgeTenant(id: $id) }`
    expect(await err(admin, purge, { id: tenant.id })).toBe(`no soft-deleted tenant ${tenant.id} to purge`)
    await ok(admin, del, { id: tenant.id })
    expect(await err(owner.token, purge, { id: tenant.id })).toBe("forbidden")
    expect((await ok(admin, purge, { id: tenant.id })).purgeTenant).toBe(true)
    expect(await auditOf(tenant.id, "tenant.purge")).toHaveLength(1)
    const left = await rows(
      (sql) => sql`SELECT (SELECT count(*)::int FROM tenants WHERE id = ${tenant.id}) AS tenants,
                     (SELECT count(*)::int FROM entities WHERE id = ${worker.id}) AS entities,
                     (SELECT count(*)::int FROM roles WHERE tenant_id = ${tenant.id}) AS roles,
                     (SELECT count(*)::int FROM permission_blocks WHERE id = ${block}) AS blocks,
                     (SELECT count(*)::int FROM tenant_memberships WHERE tenant_id = ${tenant.id}) AS memberships`,
    )
    expect(left).toEqual([{ tenants: 0, entities: 0, roles: 0, blocks: 0, memberships: 0 }])
    expect(await err(admin, `query($id: ID!) { tenant(id: $id) { id } }`, { id: tenant.id })).toBe(
      `tenant ${tenant.id} not found`,
    )
    // the name is free again
    expect((await createTenant(admin, { name: "doomed", alias: "doomed" })).name).toBe("doomed")
  })

  it("restore refuses when the name was taken in the meantime", async () => {
    const first = await createTenant(admin, { name: "phoenix" })
    await ok(admin, `mutation($id: ID!) { deleteTenant(id: $id) }`, { id: first.id })
    await createTenant(admin, { name: "phoenix" })
    expect(await err(admin, `mutation($id: ID!) { restoreTenant(id: $id) { id } }`, { id: first.id })).toBe(
      "a live record already uses this name; rename the conflicting record before restoring",
    )
    const [row] = await rows((sql) => sql`SELECT status FROM tenants WHERE id = ${first.id}`)
    expect(row).toEqual({ status: "deleted" })
  })
})

describe("tenants listing", () => {
  it("platform readers see every tenant, filtered and paged", async () => {
    const base = await ok(admin, `{ tenants(limit: 1000) { items { id } total } }`)
    const all = checked(ListShape, base.tenants)
    expect(all.total).toBeGreaterThan(3)
    expect(all.items.length).toBe(Math.min(100, all.total))
    const page = await ok(admin, `{ tenants(limit: 1, offset: 1) { items { id } total } }`)
    expect(page.tenants).toEqual({ items: [all.items[1]], total: all.total })
    const zero = await ok(admin, `{ tenants(limit: 0, offset: -5) { items { id } } }`)
    expect(checked(Schema.Struct({ items: Schema.Array(IdShape) }), zero.tenants).items).toHaveLength(1)
    const q = await ok(admin, `{ tenants(q: "ACME-REN") { items { name } total } }`)
    expect(q.tenants).toEqual({ items: [{ name: "acme-renamed" }], total: 1 })
  })
})

describe("invitations", () => {
  const create = `mutation($t: ID!, $input: CreateTenantInvitationInput!) {
    createTenantInvitation(tenantId: $t, input: $input) {
      id tenantId inviteeUserId inviteeName inviteeEmail invitedBy roleId roleName acceptedAt rejectedAt revokedAt createdAt updatedAt
    } }`
  const accept = `mutation($t: ID!) { acceptTenantInvitation(tenantId: $t) }`
  const acceptToken = `mutation($token: String!) { acceptTenantInvitationToken(input: { token: $token }) }`
  const invite = async (token: string, tenantId: string, input: Record<string, unknown>) =>
    checked(InvitationShape, (await ok(token, create, { t: tenantId, input })).createTenantInvitation)

  /** The token the outbox holds for a recipient (the API never returns it). */
  const mailedToken = async (recipient: string) => {
    const [mail] = await rows(
      (sql) => sql`SELECT body FROM mail_outbox WHERE recipient = ${recipient} ORDER BY created_at DESC LIMIT 1`,
    )
    const match = /(https?:\/\/\S*[?&]token=atomi_\S+)/.exec(String(mail?.body))
    expect(match, `an invitation mail to ${recipient}`).not.toBeNull()
    return new URL(match?.[1] ?? "").searchParams.get("token") ?? ""
  }

  it("invites by email, mails a hashed one-time token, and accepting it makes a member with the role", async () => {
    const owner = await human("inviter")
    const dave = await human("dave")
    const eve = await human("eve")
    const tenant = await createTenant(owner.token, { name: "guild" })
    const [role] = await rows(
      (sql) => sql`SELECT id FROM roles WHERE tenant_id = ${tenant.id} AND name = 'tenant-admin'`,
    )

    expect(await err(owner.token, create, { t: tenant.id, input: {} })).toBe(
      "invitee_user_id or invitee_email is required",
    )
    expect(await err(owner.token, create, { t: tenant.id, input: { inviteeEmail: "nobody@nowhere" } })).toBe(
      "invalid email",
    )
    expect(await err(dave.token, create, { t: tenant.id, input: { inviteeEmail: dave.email } })).toBe("forbidden")

    const invitation = await invite(owner.token, tenant.id, {
      inviteeEmail: ` ${dave.email.toUpperCase()} `,
      roleId: role?.id,
      redirectUrl: "https://app.example.test/join",
    })
    expect(invitation).toMatchObject({
      tenantId: tenant.id,
      inviteeUserId: dave.id,
      inviteeName: "dave",
      inviteeEmail: dave.email,
      invitedBy: owner.id,
      roleId: role?.id,
      roleName: "tenant-admin",
      acceptedAt: null,
    })
    expect(JSON.stringify(invitation)).not.toContain("atomi_")
    const token = await mailedToken(dave.email)
    expect(token).toMatch(/^atomi_[0-9a-f]{32}_[0-9a-f]{64}$/)
    expect(token.slice(6, 38)).toBe(invitation.id.replaceAll("-", ""))
    const [stored] = await rows((sql) => sql`SELECT secret_hash FROM tenant_invitations WHERE id = ${invitation.id}`)
    expect(String(stored?.secretHash)).not.toContain(token.slice(39))

    const listed = await ok(owner.token, `query($t: ID!) { tenantInvitations(tenantId: $t) { items { id } total } }`, {
      t: tenant.id,
    })
    expect(listed.tenantInvitations).toEqual({ items: [{ id: invitation.id }], total: 1 })
    const mine = await ok(dave.token, `{ myTenantInvitations { items { id tenantId } total } }`)
    expect(mine.myTenantInvitations).toEqual({ items: [{ id: invitation.id, tenantId: tenant.id }], total: 1 })

    // the token is checked before anything else is revealed
    const flipped = `${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`
    expect(await err(dave.token, acceptToken, { token: flipped })).toBe("invalid invitation token")
    expect(await err(dave.token, acceptToken, { token: "atomi_nope" })).toBe("invalid invitation token")
    const unknownId = `atomi_${randomUUID().replaceAll("-", "")}_${token.slice(39)}`
    expect(await err(dave.token, acceptToken, { token: unknownId })).toBe("invitation not found")
    expect(await err(eve.token, acceptToken, { token })).toBe("invitation does not belong to this user")

    expect((await ok(dave.token, acceptToken, { token })).acceptTenantInvitationToken).toBe(tenant.id)
    expect((await readTenant(dave.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })
    const roles = await ok(dave.token, `query($t: ID!) { myTenantRoles(tenantId: $t) { roleName } }`, { t: tenant.id })
    expect(roles.myTenantRoles).toEqual([{ roleName: "tenant-admin" }])
    expect(await err(dave.token, accept, { t: tenant.id })).toBe("invitation already accepted")
    expect(await err(dave.token, acceptToken, { token })).toBe("invitation already accepted")
  })

  it("reject, revoke, expiry and absence each end acceptance with their own message", async () => {
    const owner = await human("host")
    const bystander = await human("bystander")
    const erin = await human("erin")
    const frank = await human("frank")
    const gina = await human("gina")
    const tenant = await createTenant(owner.token, { name: "lodge" })
    await ok(admin, `mutation($t: ID!, $e: ID!) { addTenantMember(tenantId: $t, entityId: $e) }`, {
      t: tenant.id,
      e: bystander.id,
    })

    expect(await err(erin.token, accept, { t: tenant.id })).toBe("tenant invitation not found")

    const forErin = await invite(owner.token, tenant.id, { inviteeUserId: erin.id })
    expect(forErin.inviteeUserId).toBe(erin.id)
    expect(
      (await ok(erin.token, `mutation($t: ID!) { rejectTenantInvitation(tenantId: $t) }`, { t: tenant.id }))
        .rejectTenantInvitation,
    ).toBe(true)
    expect(await err(erin.token, accept, { t: tenant.id })).toBe("invitation already rejected")
    // inviting again resets the same invitation
    const reset = await invite(owner.token, tenant.id, { inviteeUserId: erin.id })
    expect(reset).toMatchObject({ id: forErin.id, rejectedAt: null })
    expect((await ok(erin.token, accept, { t: tenant.id })).acceptTenantInvitation).toBe(true)
    expect((await readTenant(erin.token, tenant.id)).data).toEqual({ tenant: { id: tenant.id, status: "active" } })

    const forFrank = await invite(owner.token, tenant.id, { inviteeEmail: frank.email })
    const revoke = `mutation($t: ID!, $i: ID!) { revokeTenantInvitation(tenantId: $t, invitationId: $i) }`
    expect(await err(bystander.token, revoke, { t: tenant.id, i: forFrank.id })).toBe("forbidden")
    expect(await err(owner.token, revoke, { t: tenant.id, i: randomUUID() })).toBe("tenant invitation not found")
    expect(await err(owner.token, revoke, { t: tenant.id, i: "bad" })).toBe("invitationId must be a UUID")
    expect((await ok(owner.token, revoke, { t: tenant.id, i: forFrank.id })).revokeTenantInvitation).toBe(true)
    expect(await err(frank.token, accept, { t: tenant.id })).toBe("invitation already revoked")
    expect(await err(owner.token, revoke, { t: tenant.id, i: forFrank.id })).toBe("invitation already revoked")

    const forGina = await invite(owner.token, tenant.id, { inviteeEmail: gina.email })
    await db(
      (sql) => sql`UPDATE tenant_invitations SET expires_at = now() - interval '1 second' WHERE id = ${forGina.id}`,
    )
    expect(await err(gina.token, accept, { t: tenant.id })).toBe("invitation expired")
    expect((await readTenant(gina.token, tenant.id)).errors?.[0]?.message).toBe("forbidden")

    // an address nobody owns yet is kept as an address, and still mailed
    const stranger = await invite(owner.token, tenant.id, { inviteeEmail: "Stranger@Example.Test" })
    expect(stranger).toMatchObject({ inviteeUserId: null })
    expect(await mailedToken("stranger@example.test")).toMatch(/^atomi_/)
  })
})

describe("profiles", () => {
  const PROFILE = "id tenantId objectKind kind key displayName description status createdAt updatedAt"

  it("creates global and tenant profiles with versions, behind their gates", async () => {
    const created = await ok(
      admin,
      `mutation { createProfile(input: { objectKind: "entity", kind: "device", key: "sensor", displayName: "Sensor" }) { ${PROFILE} } }`,
    )
    const profile = checked(IdShape, created.createProfile)
    expect(created.createProfile).toMatchObject({
      tenantId: null,
      objectKind: "entity",
      kind: "device",
      key: "sensor",
      status: "active",
    })
    const again = `mutation { createProfile(input: { objectKind: "entity", kind: "device", key: "sensor", displayName: "S" }) { id } }`
    expect(await err(admin, again)).toBe("already exists")
    expect(
      await err(
        admin,
        `mutation { createProfile(input: { objectKind: "entity", kind: "robot", key: "r", displayName: "R" }) { id } }`,
      ),
    ).toContain("not an entity kind")
    expect(
      await err(
        admin,
        `mutation { createProfile(input: { objectKind: "planet", kind: "x", key: "r", displayName: "R" }) { id } }`,
      ),
    ).toBe("objectKind must be a valid object kind")

    const version = `mutation($p: ID!, $input: CreateProfileVersionInput!) { createProfileVersion(profileId: $p, input: $input) { id profileId version jsonSchema uiSchema status } }`
    const schema = { type: "object", required: ["serial_no"], properties: { serial_no: { type: "string" } } }
    const v1 = await ok(admin, version, { p: profile.id, input: { version: 1, jsonSchema: schema } })
    expect(v1.createProfileVersion).toMatchObject({
      profileId: profile.id,
      version: 1,
      jsonSchema: schema,
      uiSchema: {},
      status: "active",
    })
    expect(await err(admin, version, { p: profile.id, input: { version: 1 } })).toBe("already exists")
    expect(await err(admin, version, { p: profile.id, input: { version: 2, jsonSchema: [1] } })).toBe(
      "jsonSchema must be a JSON object",
    )
    expect(await err(admin, version, { p: profile.id, input: { version: 0 } })).toBe(
      "version must be a positive integer",
    )
    await ok(admin, version, { p: profile.id, input: { version: 2, status: "draft" } })
    const versions = await ok(admin, `query($p: ID!) { profileVersions(profileId: $p) { version status } }`, {
      p: profile.id,
    })
    expect(versions.profileVersions).toEqual([
      { version: 1, status: "active" },
      { version: 2, status: "draft" },
    ])

    const updated = await ok(
      admin,
      `mutation($id: ID!) { updateProfile(id: $id, input: { displayName: "Sensor v2", description: "d", status: "deprecated" }) { displayName description status } }`,
      { id: profile.id },
    )
    expect(updated.updateProfile).toEqual({ displayName: "Sensor v2", description: "d", status: "deprecated" })
    const listed = await ok(
      admin,
      `{ profiles(objectKind: "entity", kind: "device", status: "deprecated") { items { id } total } }`,
    )
    expect(listed.profiles).toEqual({ items: [{ id: profile.id }], total: 1 })
    const seeded = await ok(admin, `{ profiles(objectKind: "entity", kind: "device") { total } }`)
    expect(seeded.profiles).toEqual({ total: 4 })

    // a tenant admin writes profiles of its tenant; a member does not; neither reads global ones
    const owner = await human("profiler")
    const member = await human("viewer")
    const tenant = await createTenant(owner.token, { name: "profiled" })
    await ok(owner.token, `mutation($t: ID!, $e: ID!) { addTenantMember(tenantId: $t, entityId: $e) }`, {
      t: tenant.id,
      e: member.id,
    })
    const tenantProfile = `mutation($t: ID) { createProfile(input: { tenantId: $t, objectKind: "resource", kind: "channel", key: "telemetry", displayName: "Telemetry" }) { id tenantId } }`
    const own = checked(
      Schema.Struct({ id: Schema.String, tenantId: Schema.String }),
      (await ok(owner.token, tenantProfile, { t: tenant.id })).createProfile,
    )
    expect(own.tenantId).toBe(tenant.id)
    expect(await err(member.token, tenantProfile, { t: tenant.id })).toBe("forbidden")
    expect(await err(owner.token, tenantProfile, { t: null })).toBe("forbidden")
    expect(await err(owner.token, `query($id: ID!) { profile(id: $id) { id } }`, { id: profile.id })).toBe("forbidden")
    expect((await ok(owner.token, `query($id: ID!) { profile(id: $id) { id } }`, { id: own.id })).profile).toEqual({
      id: own.id,
    })
    expect(
      (await ok(owner.token, `query($t: ID) { profiles(tenantId: $t) { total } }`, { t: tenant.id })).profiles,
    ).toEqual({ total: 1 })

    const unknown = randomUUID()
    expect(await err(admin, `query($id: ID!) { profile(id: $id) { id } }`, { id: unknown })).toBe(
      `profile ${unknown} not found`,
    )
    expect(await err(admin, `{ profile(id: "p1") { id } }`)).toBe("id must be a UUID")
    expect(await err(admin, `{ profiles(tenantId: "t1") { total } }`)).toBe("tenantId must be a UUID")
  })
})
