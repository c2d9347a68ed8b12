import { randomUUID } from "node:crypto"
import { announceLocalChange } from "@atom/repositories/db"
import { Passwords } from "@atom/repositories/identity"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string
const T = randomUUID()
const U = randomUUID()
const W = randomUUID()
const PASSWORD = "a-long-test-password-1"

// ---- helpers (each test file keeps its own) -------------------------------------------------

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const list = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : [])
const ids = (value: unknown): Array<string> => list(value).map((v) => str(at(v, "id")))

const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const err = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}
const db = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
const rows = (query: string, ...params: Array<string>) =>
  db((sql) => sql.unsafe<Record<string, unknown>>(query, params))

const RESOURCE = `id kind name alias tenantId ownerId parentGroupId attributes deletedAt deletedBy createdAt updatedAt`
const CREATE = `mutation($i: CreateResourceInput!) { createResource(input: $i) { ${RESOURCE} } }`

const createResource = async (input: Record<string, unknown>, token = admin) =>
  at(await ok(token, CREATE, { i: input }), "createResource")
const resourceId = async (input: Record<string, unknown>) => str(at(await createResource(input), "id"))
const objectGroup = async (name: string, tenantId: string | null) =>
  str(
    at(
      await ok(admin, `mutation($i: CreateGroupInput!) { createObjectGroup(input: $i) { id } }`, {
        i: { name, tenantId },
      }),
      "createObjectGroup",
      "id",
    ),
  )

const human = async (name: string, tenantId: string | null) => {
  const id = str(
    at(
      await ok(admin, `mutation($i: CreateEntityInput!) { createEntity(input: $i) { id } }`, {
        i: { name, kind: "human", tenantId },
      }),
      "createEntity",
      "id",
    ),
  )
  await t.atom.runtime.runPromise(
    Effect.gen(function* () {
      const hash = yield* Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD)))
      yield* Effect.flatMap(Passwords, (p) =>
        p.insert({ id: randomUUID(), entityId: id, identifier: null, secretHash: hash }),
      )
    }),
  )
  return { id, token: await loginToken(t, id, PASSWORD) }
}

/** An allow of `actions` for an entity: at a tenant's scope, or on one object. */
const grant = (subjectId: string, tenantId: string, actions: Array<string>, objectId: string | null = null) =>
  db((sql) =>
    Effect.gen(function* () {
      const block = randomUUID()
      yield* objectId === null
        ? sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode) VALUES (${block}, ${tenantId}, 'tenant')`
        : sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_id) VALUES (${block}, ${tenantId}, 'object', ${objectId})`
      yield* sql`INSERT INTO permission_block_actions (permission_block_id, action_id)
                 SELECT ${block}, id FROM actions WHERE name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(actions)}::json))`
      yield* sql`INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id)
                 VALUES (${tenantId}, 'entity', ${subjectId}, ${block})`
      yield* sql`UPDATE authz_revision SET revision = revision + 1`
      // written through this Atom's own pool: its caches hear of it at once, as from a use case
      yield* Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)
    }),
  )

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await db(
    (sql) => sql`INSERT INTO tenants (id, name) VALUES (${T}, ${"res-t"}), (${U}, ${"res-u"}), (${W}, ${"res-w"})`,
  )
})
afterAll(async () => {
  await t?.close()
})

describe("createResource and resource(id)", () => {
  it("creates with a client id, alias, owner and attributes, and reads it back", async () => {
    const owner = str(
      at(
        await ok(admin, `mutation { createEntity(input: { name: "res-owner", kind: service }) { id } }`),
        "createEntity",
        "id",
      ),
    )
    const id = randomUUID()
    const r = await createResource({
      id,
      kind: "channel",
      name: "temp",
      alias: " Temp-1 ",
      tenantId: T,
      ownerId: owner,
      attributes: { unit_name: "C" },
    })
    expect(r).toMatchObject({
      id,
      kind: "channel",
      name: "temp",
      alias: "temp-1",
      tenantId: T,
      ownerId: owner,
      parentGroupId: null,
      attributes: { unit_name: "C" },
      deletedAt: null,
    })
    expect(str(at(r, "createdAt"))).toMatch(/\+00:00$/)
    expect(at(await ok(admin, `query($id: ID!) { resource(id: $id) { ${RESOURCE} } }`, { id }), "resource")).toEqual(r)
  })

  it("validates input with the spec's messages", async () => {
    await createResource({ kind: "channel", alias: "dup-res", tenantId: T })
    expect(await err(admin, CREATE, { i: { kind: "channel", alias: "DUP-RES", tenantId: T } })).toBe("already exists")
    await createResource({ kind: "channel", alias: "dup-res", tenantId: U })
    expect(await err(admin, CREATE, { i: { kind: "channel", alias: "x_y" } })).toContain("alias may contain only")
    expect(await err(admin, CREATE, { i: { kind: "  " } })).toBe("kind must not be empty")
    expect(await err(admin, CREATE, { i: { kind: "channel", tenantId: "abc" } })).toBe("tenantId must be a UUID")
    expect(await err(admin, CREATE, { i: { kind: "channel", ownerId: "abc" } })).toBe("ownerId must be a UUID")
    const ghost = randomUUID()
    expect(await err(admin, CREATE, { i: { kind: "channel", ownerId: ghost } })).toBe(`entity ${ghost} not found`)
    expect(await err(admin, CREATE, { i: { kind: "channel", tenantId: ghost } })).toBe(
      `active tenant ${ghost} not found`,
    )
    expect(await err(admin, `query($id: ID!) { resource(id: $id) { id } }`, { id: ghost })).toBe(
      `resource ${ghost} not found`,
    )
    expect(await err(admin, `query { resource(id: "r1") { id } }`)).toBe("id must be a UUID")
  })
})

describe("updateResource", () => {
  it("patches: absent alias keeps it, null clears it", async () => {
    const id = await resourceId({ kind: "rule", name: "r", alias: "rule-1", tenantId: T })
    const m = `mutation($id: ID!, $i: UpdateResourceInput!) { updateResource(id: $id, input: $i) { name alias attributes } }`
    expect(at(await ok(admin, m, { id, i: { name: "r2", attributes: { on: true } } }), "updateResource")).toEqual({
      name: "r2",
      alias: "rule-1",
      attributes: { on: true },
    })
    expect(at(await ok(admin, m, { id, i: { alias: null } }), "updateResource")).toEqual({
      name: "r2",
      alias: null,
      attributes: { on: true },
    })
    expect(await err(admin, m, { id, i: { alias: "-x" } })).toBe("alias must start with a letter or digit")
  })
})

describe("containment", () => {
  it("sets, replaces and clears the object group; filters by group and descendants", async () => {
    const top = await objectGroup("res-top", T)
    const sub = await objectGroup("res-sub", T)
    await ok(
      admin,
      `mutation($c: ID!, $p: ID!) { setObjectGroupParent(objectGroupId: $c, parentGroupId: $p) { id } }`,
      { c: sub, p: top },
    )
    const a = await resourceId({ kind: "sensor", tenantId: T, attributes: { parent_group_id: top } })
    const b = await resourceId({ kind: "sensor", tenantId: T })
    const set = `mutation($r: ID!, $g: ID!) { setResourceParentGroup(resourceId: $r, groupId: $g) { parentGroupId } }`
    expect(at(await ok(admin, set, { r: b, g: top }), "setResourceParentGroup", "parentGroupId")).toBe(top)
    const add = `mutation($r: ID!, $g: ID!) { addResourceToObjectGroup(resourceId: $r, objectGroupId: $g) { parentGroupId } }`
    expect(at(await ok(admin, add, { r: b, g: sub }), "addResourceToObjectGroup", "parentGroupId")).toBe(sub)
    const q = `query($g: ID, $d: Boolean) { resources(parentGroupId: $g, includeDescendants: $d) { items { id } total } }`
    expect(ids(at(await ok(admin, q, { g: top }), "resources", "items"))).toEqual([a])
    expect(ids(at(await ok(admin, q, { g: top, d: true }), "resources", "items"))).toEqual([b, a])
    expect(
      at(
        await ok(admin, `mutation($r: ID!) { clearResourceParentGroup(resourceId: $r) { parentGroupId } }`, { r: a }),
        "clearResourceParentGroup",
        "parentGroupId",
      ),
    ).toBeNull()
    expect(
      at(
        await ok(admin, `mutation($r: ID!) { removeResourceFromObjectGroup(resourceId: $r) { parentGroupId } }`, {
          r: b,
        }),
        "removeResourceFromObjectGroup",
        "parentGroupId",
      ),
    ).toBeNull()

    const elsewhere = await objectGroup("res-elsewhere", U)
    expect(await err(admin, set, { r: a, g: elsewhere })).toBe("object group must be in the resource's tenant")
    const platform = await resourceId({ kind: "sensor" })
    expect(await err(admin, set, { r: platform, g: top })).toBe("platform resource cannot be placed in a group")
    const principal = str(
      at(
        await ok(admin, `mutation { createPrincipalGroup(input: { name: "res-pg" }) { id } }`),
        "createPrincipalGroup",
        "id",
      ),
    )
    expect(await err(admin, set, { r: a, g: principal })).toBe(`group ${principal} is not an object group`)
    const ghost = randomUUID()
    expect(await err(admin, set, { r: a, g: ghost })).toBe(`group ${ghost} not found`)
    expect(await err(admin, set, { r: ghost, g: top })).toBe(`resource ${ghost} not found`)
  })
})

describe("listing", () => {
  it("filters by q, kind, tenant and attribute containment; pages with totals; lists kinds", async () => {
    const a = await resourceId({
      kind: "meter",
      name: "lst-water",
      tenantId: W,
      attributes: { zone: "north", level: 2 },
    })
    const b = await resourceId({ kind: "meter", name: "lst-gas", tenantId: W, attributes: { zone: "south" } })
    const c = await resourceId({ kind: "valve", name: "lst-valve", tenantId: W, alias: "north-valve" })
    const q = `query($q: String, $k: String, $t: ID, $a: JSON, $l: Int, $o: Int) {
      resources(q: $q, kind: $k, tenantId: $t, attributesContains: $a, limit: $l, offset: $o) { items { id } total } }`
    expect(ids(at(await ok(admin, q, { t: W, q: "lst-" }), "resources", "items"))).toEqual([c, b, a])
    expect(ids(at(await ok(admin, q, { t: W, q: "north" }), "resources", "items"))).toEqual([c, a])
    expect(ids(at(await ok(admin, q, { t: W, k: "meter" }), "resources", "items"))).toEqual([b, a])
    expect(ids(at(await ok(admin, q, { a: { zone: "north" } }), "resources", "items"))).toEqual([a])
    expect(at(await ok(admin, q, { t: W, q: "lst-", l: 1, o: 1 }), "resources")).toEqual({
      items: [{ id: b }],
      total: 3,
    })
    expect(await err(admin, q, { a: [1] })).toBe("attributesContains must be a JSON object")
    const kinds = at(await ok(admin, `query($t: ID) { resourceKinds(tenantId: $t) }`, { t: W }), "resourceKinds")
    expect(kinds).toEqual(["meter", "valve"])
  })
})

describe("soft delete, restore, purge", () => {
  it("deletes softly, restores and purges with the spec's messages", async () => {
    const id = await resourceId({ kind: "report", alias: "life-r", tenantId: T })
    expect(at(await ok(admin, `mutation($id: ID!) { deleteResource(id: $id) }`, { id }), "deleteResource")).toBe(true)
    expect(await err(admin, `query($id: ID!) { resource(id: $id) { id } }`, { id })).toBe(`resource ${id} not found`)
    const deleted = at(
      await ok(admin, `{ resources(deleted: deleted, limit: 100) { items { id deletedBy } } }`),
      "resources",
      "items",
    )
    expect(list(deleted).find((r) => at(r, "id") === id)).toEqual({
      id,
      deletedBy: "00000000-0000-0000-0000-000000000001",
    })
    expect(ids(at(await ok(admin, `{ resources(limit: 100) { items { id } } }`), "resources", "items"))).not.toContain(
      id,
    )
    // alias taken in the meantime blocks the restore
    const twin = await resourceId({ kind: "report", alias: "life-r", tenantId: T })
    expect(await err(admin, `mutation($id: ID!) { restoreResource(id: $id) }`, { id })).toContain(
      "a live record already uses this name",
    )
    await ok(admin, `mutation($id: ID!) { deleteResource(id: $id) }`, { id: twin })
    expect(at(await ok(admin, `mutation($id: ID!) { restoreResource(id: $id) }`, { id }), "restoreResource")).toBe(true)
    expect(await err(admin, `mutation($id: ID!) { restoreResource(id: $id) }`, { id })).toBe(
      `no soft-deleted resource ${id} to restore`,
    )
    expect(await err(admin, `mutation($id: ID!) { purgeResource(id: $id) }`, { id })).toBe(
      `no soft-deleted resource ${id} to purge`,
    )
    expect(at(await ok(admin, `mutation($id: ID!) { purgeResource(id: $id) }`, { id: twin }), "purgeResource")).toBe(
      true,
    )
    expect(await rows(`SELECT count(*)::int AS n FROM resources WHERE id = $1`, twin)).toEqual([{ n: 0 }])
  })

  it("purge removes blocks that target the resource", async () => {
    const someone = await human("res-holder", T)
    const id = await resourceId({ kind: "report", tenantId: T })
    await grant(someone.id, T, ["read"], id)
    await ok(admin, `mutation($id: ID!) { deleteResource(id: $id) }`, { id })
    await ok(admin, `mutation($id: ID!) { purgeResource(id: $id) }`, { id })
    expect(await rows(`SELECT count(*)::int AS n FROM permission_blocks WHERE object_id = $1`, id)).toEqual([{ n: 0 }])
  })
})

describe("limited callers", () => {
  let gina: { id: string; token: string }
  let hank: { id: string; token: string }
  let inT: string
  let inU: string
  let oneOfU: string

  beforeAll(async () => {
    gina = await human("res-gina", T)
    await grant(gina.id, T, ["manage", "read", "write"])
    hank = await human("res-hank", null)
    inT = await resourceId({ kind: "lim-t-kind", tenantId: T })
    inU = await resourceId({ kind: "lim-u-kind", tenantId: U })
    oneOfU = await resourceId({ kind: "lim-one-kind", tenantId: U })
    // hank may read exactly one resource
    await grant(hank.id, U, ["read"], oneOfU)
  })

  it("a tenant admin manages its tenant's resources only", async () => {
    expect(at(await createResource({ kind: "channel", tenantId: T }, gina.token), "tenantId")).toBe(T)
    expect(await err(gina.token, CREATE, { i: { kind: "channel", tenantId: U } })).toBe("forbidden")
    expect(await err(gina.token, CREATE, { i: { kind: "channel" } })).toBe("forbidden")
    const upd = `mutation($id: ID!) { updateResource(id: $id, input: { name: "n" }) { name } }`
    expect(at(await ok(gina.token, upd, { id: inT }), "updateResource", "name")).toBe("n")
    expect(await err(gina.token, upd, { id: inU })).toBe("forbidden")
    expect(await err(gina.token, `mutation($id: ID!) { deleteResource(id: $id) }`, { id: inU })).toBe("forbidden")
    expect(await err(gina.token, `mutation($id: ID!) { purgeResource(id: $id) }`, { id: inT })).toBe("forbidden")
    const mine = at(await ok(gina.token, `{ resources(limit: 100) { items { tenantId } total } }`), "resources")
    expect(new Set(list(at(mine, "items")).map((r) => at(r, "tenantId")))).toEqual(new Set([T]))
    expect(at(mine, "total")).toBe(
      at(await ok(admin, `query($t: ID) { resources(tenantId: $t) { total } }`, { t: T }), "resources", "total"),
    )
    expect(at(await ok(gina.token, `{ resourceKinds }`), "resourceKinds")).toContain("lim-t-kind")
    expect(at(await ok(gina.token, `{ resourceKinds }`), "resourceKinds")).not.toContain("lim-u-kind")
  })

  it("an object grant shows exactly that resource", async () => {
    expect(
      at(await ok(hank.token, `query($id: ID!) { resource(id: $id) { id } }`, { id: oneOfU }), "resource", "id"),
    ).toBe(oneOfU)
    expect(await err(hank.token, `query($id: ID!) { resource(id: $id) { id } }`, { id: inU })).toBe("forbidden")
    expect(at(await ok(hank.token, `{ resources { items { id } total } }`), "resources")).toEqual({
      items: [{ id: oneOfU }],
      total: 1,
    })
    expect(at(await ok(hank.token, `{ resourceKinds }`), "resourceKinds")).toEqual(["lim-one-kind"])
    expect(await err(hank.token, `mutation($id: ID!) { deleteResource(id: $id) }`, { id: oneOfU })).toBe("forbidden")
    expect(await err(hank.token, `{ resources(deleted: all) { total } }`)).toBe("forbidden")
    const g = await objectGroup("lim-g", U)
    expect(
      await err(
        hank.token,
        `mutation($r: ID!, $g: ID!) { setResourceParentGroup(resourceId: $r, groupId: $g) { id } }`,
        { r: oneOfU, g },
      ),
    ).toBe("forbidden")
  })
})
