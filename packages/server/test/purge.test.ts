import { randomUUID } from "node:crypto"
import { TombstonePurge } from "@atom/services/entities"
import { SqlClient } from "@effect/sql"
import { Effect, Option, Redacted } from "effect"
import Pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// The background purge of soft-deleted rows (identity-certs §1.7, ATOM_PURGE_*) and its `purge.cleanup` record.

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}

const ok = async (t: TestAtom, token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const rows = (t: TestAtom, query: string, ...params: Array<unknown>) =>
  t.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(query, params)).pipe(Effect.orDie),
  )
const runOnce = (t: TestAtom) => t.atom.runtime.runPromise(Effect.flatMap(TombstonePurge, (p) => p.runOnce))

/** Whether a row with this id is still in `table`. */
const present = async (t: TestAtom, table: string, id: string) =>
  (await rows(t, `SELECT 1 FROM ${table} WHERE id = $1`, id)).length === 1

/** Moves the tombstones of these rows `days` into the past. */
const backdate = (t: TestAtom, table: string, ids: ReadonlyArray<string>, days: number) =>
  rows(
    t,
    `UPDATE ${table} SET deleted_at = now() - make_interval(days => $2::int)
     WHERE id IN (SELECT value::uuid FROM json_array_elements_text($1::json))`,
    JSON.stringify(ids),
    days,
  )

const create = async (t: TestAtom, admin: string, field: string, input: Record<string, unknown>) =>
  str(
    at(
      await ok(t, admin, `mutation($input: Create${inputOf[field]}Input!) { ${field}(input: $input) { id } }`, {
        input,
      }),
      field,
      "id",
    ),
  )
const inputOf: Record<string, string> = {
  createTenant: "Tenant",
  createEntity: "Entity",
  createResource: "Resource",
  createObjectGroup: "Group",
  createPrincipalGroup: "Group",
  createRole: "Role",
}
const remove = (t: TestAtom, admin: string, field: string, id: string) =>
  ok(t, admin, `mutation($id: ID!) { ${field}(id: $id) }`, { id })

/** A block of `read` on one object (or none), optionally linked to roles and held by a subject. */
const block = async (
  t: TestAtom,
  tenantId: string,
  objectId: string | null,
  holder: { readonly kind: "entity" | "group"; readonly id: string } | null,
  objectKind: "resource" | "tenant" = "resource",
) => {
  const id = randomUUID()
  await rows(
    t,
    objectId === null
      ? "INSERT INTO permission_blocks (id, tenant_id, scope_mode) VALUES ($1, $2, 'tenant')"
      : "INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_id) VALUES ($1, $2, 'object', $4, $3)",
    ...(objectId === null ? [id, tenantId] : [id, tenantId, objectId, objectKind]),
  )
  await rows(
    t,
    "INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT $1, id FROM actions WHERE name = 'read'",
    id,
  )
  if (holder !== null) {
    await rows(
      t,
      "INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id) VALUES ($1, $2, $3, $4)",
      tenantId,
      holder.kind,
      holder.id,
      id,
    )
  }
  return id
}
const linkToRole = (t: TestAtom, roleId: string, blockId: string) =>
  rows(t, "INSERT INTO role_permission_blocks (role_id, permission_block_id) VALUES ($1, $2)", roleId, blockId)

const cleanupRecords = async (t: TestAtom, admin: string) =>
  at(
    await ok(
      t,
      admin,
      `{ auditLogs(event: "purge.cleanup") { total items { actorEntityId tenantId outcome details } } }`,
    ),
    "auditLogs",
  )

describe("background purge of soft-deleted rows (identity-certs §1.7)", () => {
  let t: TestAtom
  let admin: string
  beforeAll(async () => {
    t = await startTestAtom({ ATOM_PURGE_BATCH_SIZE: "2" })
    admin = await adminToken(t)
  })
  afterAll(() => t?.close())

  it("removes tombstones past the retention, what hangs on them, and records the run in its transaction", async () => {
    const tenant = await create(t, admin, "createTenant", { name: `purge-${randomUUID()}` })
    const live = await create(t, admin, "createEntity", {
      name: `live-${randomUUID()}`,
      kind: "human",
      tenantId: tenant,
    })
    const entity = await create(t, admin, "createEntity", {
      name: `gone-${randomUUID()}`,
      kind: "human",
      tenantId: tenant,
    })
    await rows(t, "INSERT INTO credentials (entity_id, kind, secret_hash) VALUES ($1, 'password', 'x')", entity)
    const [credential] = await rows(t, "SELECT id::text AS id FROM credentials WHERE entity_id = $1", entity)
    const resources = [
      await create(t, admin, "createResource", { kind: "sensor", name: `r1-${randomUUID()}`, tenantId: tenant }),
      await create(t, admin, "createResource", { kind: "sensor", name: `r2-${randomUUID()}`, tenantId: tenant }),
      await create(t, admin, "createResource", { kind: "sensor", name: `r3-${randomUUID()}`, tenantId: tenant }),
    ]
    const recent = await create(t, admin, "createResource", {
      kind: "sensor",
      name: `r4-${randomUUID()}`,
      tenantId: tenant,
    })
    const objectGroup = await create(t, admin, "createObjectGroup", { name: `og-${randomUUID()}`, tenantId: tenant })
    const principalGroup = await create(t, admin, "createPrincipalGroup", {
      name: `pg-${randomUUID()}`,
      tenantId: tenant,
    })
    const role = await create(t, admin, "createRole", { name: `role-${randomUUID()}`, tenantId: tenant })
    const keptRole = await create(t, admin, "createRole", { name: `kept-${randomUUID()}`, tenantId: tenant })

    // authorization rows that would dangle: a live entity's grant on a purged resource, the purged entity's
    // own grant, the purged principal group's role, a block only the purged role used, one a live role shares
    const onResource = await block(t, tenant, resources[0]!, { kind: "entity", id: live })
    const heldByEntity = await block(t, tenant, null, { kind: "entity", id: entity })
    const roleOnly = await block(t, tenant, null, null)
    const shared = await block(t, tenant, null, null)
    await linkToRole(t, role, roleOnly)
    await linkToRole(t, role, shared)
    await linkToRole(t, keptRole, shared)
    await rows(
      t,
      "INSERT INTO role_assignments (tenant_id, subject_kind, subject_id, role_id) VALUES ($1, 'group', $2, $3)",
      tenant,
      principalGroup,
      keptRole,
    )

    await remove(t, admin, "deleteEntity", entity)
    for (const r of [...resources, recent]) await remove(t, admin, "deleteResource", r)
    await remove(t, admin, "deleteGroup", objectGroup)
    await remove(t, admin, "deleteGroup", principalGroup)
    await remove(t, admin, "deleteRole", role)
    await backdate(t, "entities", [entity], 91)
    await backdate(t, "resources", resources, 91)
    await backdate(t, "resources", [recent], 89)
    await backdate(t, "object_groups", [objectGroup], 100)
    await backdate(t, "principal_groups", [principalGroup], 100)
    await backdate(t, "roles", [role], 100)

    const first = await runOnce(t)
    // ATOM_PURGE_BATCH_SIZE=2: two of the three old resources, the oldest tombstones first
    expect(first).toMatchObject({
      ran: true,
      deletedRows: 6,
      byTable: { object_groups: 1, principal_groups: 1, resources: 2, entities: 1, roles: 1, tenants: 0 },
    })
    expect(await present(t, "entities", entity)).toBe(false)
    expect(await present(t, "credentials", str(credential?.id))).toBe(false)
    expect(await present(t, "object_groups", objectGroup)).toBe(false)
    expect(await present(t, "principal_groups", principalGroup)).toBe(false)
    expect(await present(t, "roles", role)).toBe(false)
    expect((await Promise.all(resources.map((r) => present(t, "resources", r)))).filter((p) => p)).toHaveLength(1)
    // within the retention, or live: kept
    expect(await present(t, "resources", recent)).toBe(true)
    expect(await present(t, "entities", live)).toBe(true)
    expect(await present(t, "roles", keptRole)).toBe(true)
    // no authorization row names a removed id; a block another role still uses stays
    expect(await present(t, "permission_blocks", heldByEntity)).toBe(true)
    expect(await rows(t, "SELECT 1 FROM direct_policies WHERE subject_id = $1", entity)).toEqual([])
    expect(await rows(t, "SELECT 1 FROM role_assignments WHERE subject_id = $1", principalGroup)).toEqual([])
    expect(await present(t, "permission_blocks", roleOnly)).toBe(false)
    expect(await present(t, "permission_blocks", shared)).toBe(true)

    const records = await cleanupRecords(t, admin)
    expect(at(records, "total")).toBe(1)
    expect(at(records, "items", 0)).toMatchObject({
      actorEntityId: null,
      tenantId: null,
      outcome: "allow",
      details: {
        deleted_rows: 6,
        cutoff: first.cutoff.toISOString(),
        retention_days: 90,
        batch_size: 2,
        tables: { resources: 2, entities: 1 },
      },
    })

    const health = await (await fetch(`${t.baseUrl}/health`)).json()
    expect(health.soft_delete_purge).toMatchObject({
      enabled: false,
      retention_days: 90,
      batch_size: 2,
      last_run: { status: "ok", deleted_rows: 6, cutoff: first.cutoff.toISOString() },
    })

    // the next run takes the rest; then nothing is left, and a run that removes nothing leaves no record
    expect(await runOnce(t)).toMatchObject({ deletedRows: 1, byTable: { resources: 1 } })
    expect(await present(t, "permission_blocks", onResource)).toBe(false)
    expect(await runOnce(t)).toMatchObject({ ran: true, deletedRows: 0 })
    expect(at(await cleanupRecords(t, admin), "total")).toBe(2)
  })

  it("purges an old tenant tombstone with everything in it, and the grants elsewhere that name its objects", async () => {
    const tenant = await create(t, admin, "createTenant", { name: `purge-t-${randomUUID()}` })
    const other = await create(t, admin, "createTenant", { name: `purge-o-${randomUUID()}` })
    const member = await create(t, admin, "createEntity", {
      name: `m-${randomUUID()}`,
      kind: "device",
      tenantId: tenant,
    })
    const outsider = await create(t, admin, "createEntity", {
      name: `o-${randomUUID()}`,
      kind: "human",
      tenantId: other,
    })
    const inside = await create(t, admin, "createResource", {
      kind: "sensor",
      name: `in-${randomUUID()}`,
      tenantId: tenant,
    })
    const grantOnInside = await block(t, other, inside, { kind: "entity", id: outsider })
    const grantOfMember = await block(t, other, null, { kind: "entity", id: member })
    const grantOnTenant = await block(t, other, tenant, { kind: "entity", id: outsider }, "tenant")
    await remove(t, admin, "deleteTenant", tenant)
    await backdate(t, "tenants", [tenant], 120)

    expect(await runOnce(t)).toMatchObject({ deletedRows: 1, byTable: { tenants: 1 } })
    expect(await present(t, "tenants", tenant)).toBe(false)
    expect(await present(t, "entities", member)).toBe(false)
    expect(await present(t, "resources", inside)).toBe(false)
    expect(await present(t, "permission_blocks", grantOnInside)).toBe(false)
    expect(await present(t, "permission_blocks", grantOnTenant)).toBe(false)
    expect(await rows(t, "SELECT 1 FROM direct_policies WHERE subject_id = $1", member)).toEqual([])
    expect(await present(t, "permission_blocks", grantOfMember)).toBe(true)
    expect(await present(t, "tenants", other)).toBe(true)
    expect(await present(t, "entities", outsider)).toBe(true)
  })

  // one runner across replicas: a second connection holding the lock stands in for another replica
  it.runIf(process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== "")(
    "removes nothing while another replica's run holds the purge lock (needs DATABASE_URL)",
    async () => {
      const resource = await create(t, admin, "createResource", { kind: "sensor", name: `l-${randomUUID()}` })
      await remove(t, admin, "deleteResource", resource)
      await backdate(t, "resources", [resource], 100)
      const other = new Pg.Client({ connectionString: Redacted.value(Option.getOrThrow(t.config.databaseUrl)) })
      await other.connect()
      try {
        await other.query("BEGIN")
        await other.query("SELECT pg_advisory_xact_lock(7306853925041215)")
        expect(await runOnce(t)).toMatchObject({ ran: false, deletedRows: 0 })
        expect(await present(t, "resources", resource)).toBe(true)
        const health = await (await fetch(`${t.baseUrl}/health`)).json()
        expect(health.soft_delete_purge.last_run).toMatchObject({ status: "skipped", deleted_rows: 0 })
        await other.query("COMMIT")
        expect(await runOnce(t)).toMatchObject({ ran: true, deletedRows: 1 })
        expect(await present(t, "resources", resource)).toBe(false)
      } finally {
        await other.end()
      }
    },
  )
})

describe("ATOM_PURGE_ENABLED", () => {
  it("runs the purge on its own, every ATOM_PURGE_INTERVAL_SECS", async () => {
    const t = await startTestAtom({ ATOM_PURGE_ENABLED: "true", ATOM_PURGE_INTERVAL_SECS: "1" })
    try {
      const admin = await adminToken(t)
      const resource = await create(t, admin, "createResource", { kind: "sensor", name: `s-${randomUUID()}` })
      await remove(t, admin, "deleteResource", resource)
      await backdate(t, "resources", [resource], 100)
      const deadline = Date.now() + 15_000
      while ((await present(t, "resources", resource)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
      }
      expect(await present(t, "resources", resource)).toBe(false)
      expect(at(await cleanupRecords(t, admin), "items", 0, "details")).toMatchObject({ deleted_rows: 1 })
      const health = await (await fetch(`${t.baseUrl}/health`)).json()
      expect(health.soft_delete_purge).toMatchObject({ enabled: true, interval_secs: 1, last_run: { status: "ok" } })
    } finally {
      await t.close()
    }
  }, 60_000)

  it("is off by default: an old tombstone stays until a run is asked for", async () => {
    // a run every second, were it on
    const t = await startTestAtom({ ATOM_PURGE_INTERVAL_SECS: "1" })
    try {
      const admin = await adminToken(t)
      const resource = await create(t, admin, "createResource", { kind: "sensor", name: `d-${randomUUID()}` })
      await remove(t, admin, "deleteResource", resource)
      await backdate(t, "resources", [resource], 100)
      await new Promise((r) => setTimeout(r, 1500))
      expect(await present(t, "resources", resource)).toBe(true)
      expect(at(await cleanupRecords(t, admin), "total")).toBe(0)
      const health = await (await fetch(`${t.baseUrl}/health`)).json()
      expect(health.soft_delete_purge).toMatchObject({ enabled: false, last_run: null })
    } finally {
      await t.close()
    }
  }, 60_000)
})
