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

const GROUP = `id name tenantId groupType description parentId status attributes deletedAt deletedBy createdAt updatedAt`

const createGroup = async (
  field: "createGroup" | "createObjectGroup" | "createPrincipalGroup",
  input: Record<string, unknown>,
  token = admin,
) => at(await ok(token, `mutation($i: CreateGroupInput!) { ${field}(input: $i) { ${GROUP} } }`, { i: input }), field)
const groupId = async (field: "createObjectGroup" | "createPrincipalGroup", name: string, tenantId: string | null) =>
  str(at(await createGroup(field, { name, tenantId }), "id"))

const entityId = async (input: Record<string, unknown>) =>
  str(
    at(
      await ok(admin, `mutation($i: CreateEntityInput!) { createEntity(input: $i) { id } }`, { i: input }),
      "createEntity",
      "id",
    ),
  )

const human = async (name: string, tenantId: string | null) => {
  const id = await entityId({ name, kind: "human", tenantId })
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

const grantTenant = (subjectKind: "entity" | "group", subjectId: string, tenantId: string, actions: Array<string>) =>
  db((sql) =>
    Effect.gen(function* () {
      const block = randomUUID()
      yield* sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode) VALUES (${block}, ${tenantId}, 'tenant')`
      yield* sql`INSERT INTO permission_block_actions (permission_block_id, action_id)
                 SELECT ${block}, id FROM actions WHERE name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(actions)}::json))`
      yield* sql`INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id)
                 VALUES (${tenantId}, ${subjectKind}, ${subjectId}, ${block})`
      yield* sql`UPDATE authz_revision SET revision = revision + 1`
      // written through this Atom's own pool: its caches hear of it at once, as from a use case
      yield* Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)
    }),
  )

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await db((sql) => sql`INSERT INTO tenants (id, name) VALUES (${T}, ${"grp-t"}), (${U}, ${"grp-u"})`)
})
afterAll(async () => {
  await t?.close()
})

describe("creating and reading groups", () => {
  it("creates object and principal groups; createGroup defaults to object and validates the type", async () => {
    const id = randomUUID()
    const g = await createGroup("createGroup", {
      id,
      name: "grp-a",
      tenantId: T,
      description: "first",
      attributes: { k: "v" },
    })
    expect(g).toMatchObject({
      id,
      name: "grp-a",
      tenantId: T,
      groupType: "object",
      description: "first",
      parentId: null,
      status: "active",
      attributes: { k: "v" },
    })
    expect(str(at(g, "createdAt"))).toMatch(/\+00:00$/)
    expect(
      at(await createGroup("createGroup", { name: "grp-p", tenantId: T, groupType: "principal" }), "groupType"),
    ).toBe("principal")
    expect(
      at(await createGroup("createPrincipalGroup", { name: "grp-p2", tenantId: T, groupType: "object" }), "groupType"),
    ).toBe("principal")
    expect(at(await createGroup("createObjectGroup", { name: "grp-o2", tenantId: T }), "groupType")).toBe("object")
    expect(await err(admin, `mutation { createGroup(input: { name: "x", groupType: "team" }) { id } }`)).toBe(
      "groupType must be object or principal",
    )
    expect(at(await ok(admin, `query($id: ID!) { group(id: $id) { ${GROUP} } }`, { id }), "group")).toEqual(g)
  })

  it("refuses duplicate names per tenant, bad ids, unknown tenants and unknown groups", async () => {
    await groupId("createObjectGroup", "grp-dup", T)
    expect(
      await err(admin, `mutation { createObjectGroup(input: { name: "grp-dup", tenantId: "${T}" }) { id } }`),
    ).toBe("already exists")
    await groupId("createObjectGroup", "grp-dup", U)
    // one id never lives in both tables
    const shared = randomUUID()
    await createGroup("createObjectGroup", { id: shared, name: "grp-shared-o", tenantId: T })
    expect(
      await err(admin, `mutation($i: CreateGroupInput!) { createPrincipalGroup(input: $i) { id } }`, {
        i: { id: shared, name: "grp-shared-p", tenantId: T },
      }),
    ).toBe("already exists")
    expect(await err(admin, `mutation { createObjectGroup(input: { name: "x", tenantId: "t-1" }) { id } }`)).toBe(
      "tenantId must be a UUID",
    )
    const ghost = randomUUID()
    expect(
      await err(admin, `mutation($t: ID) { createObjectGroup(input: { name: "x", tenantId: $t }) { id } }`, {
        t: ghost,
      }),
    ).toBe(`active tenant ${ghost} not found`)
    expect(await err(admin, `query($id: ID!) { group(id: $id) { id } }`, { id: ghost })).toBe(
      `group ${ghost} not found`,
    )
    expect(await err(admin, `query { group(id: "abc") { id } }`)).toBe("id must be a UUID")
    expect(await err(admin, `mutation { createObjectGroup(input: { name: " " }) { id } }`)).toBe(
      "name must not be empty",
    )
  })

  it("lists by type, tenant, status and q with totals and paging", async () => {
    const o1 = await groupId("createObjectGroup", "lst-alpha", U)
    const o2 = await groupId("createObjectGroup", "lst-beta", U)
    const p1 = await groupId("createPrincipalGroup", "lst-gamma", U)
    const q = `query($t: ID, $q: String, $s: EntityStatus, $l: Int, $o: Int) {
      groups(tenantId: $t, q: $q, status: $s, limit: $l, offset: $o) { items { id } total }
      objectGroups(tenantId: $t, q: $q, status: $s) { items { id } total }
      principalGroups(tenantId: $t, q: $q, status: $s) { items { id } total } }`
    const all = await ok(admin, q, { t: U, q: "lst-" })
    expect(ids(at(all, "groups", "items"))).toEqual([p1, o2, o1])
    expect(ids(at(all, "objectGroups", "items"))).toEqual([o2, o1])
    expect(ids(at(all, "principalGroups", "items"))).toEqual([p1])
    const page = await ok(admin, q, { t: U, q: "lst-", l: 1, o: 2 })
    expect(at(page, "groups")).toEqual({ items: [{ id: o1 }], total: 3 })
    await ok(admin, `mutation($id: ID!) { suspendGroup(id: $id) { status } }`, { id: o2 })
    expect(ids(at(await ok(admin, q, { t: U, s: "suspended" }), "groups", "items"))).toEqual([o2])
  })
})

describe("updating and status", () => {
  it("patches name, description, status and attributes; enable/disable/suspend", async () => {
    const id = await groupId("createObjectGroup", "grp-upd", T)
    const m = `mutation($id: ID!, $i: UpdateGroupInput!) { updateGroup(id: $id, input: $i) { name description status attributes } }`
    expect(
      at(await ok(admin, m, { id, i: { name: "grp-upd-2", description: "d", attributes: { a: 1 } } }), "updateGroup"),
    ).toEqual({
      name: "grp-upd-2",
      description: "d",
      status: "active",
      attributes: { a: 1 },
    })
    expect(at(await ok(admin, m, { id, i: { status: "suspended" } }), "updateGroup")).toMatchObject({
      name: "grp-upd-2",
      description: "d",
      status: "suspended",
    })
    for (const [field, status] of [
      ["disableGroup", "inactive"],
      ["enableGroup", "active"],
      ["suspendGroup", "suspended"],
    ] as const) {
      expect(at(await ok(admin, `mutation($id: ID!) { ${field}(id: $id) { status } }`, { id }), field, "status")).toBe(
        status,
      )
    }
  })
})

describe("nesting", () => {
  it("sets and removes parents; lists children; rejects cycles, self, other tenants and other types", async () => {
    const top = await groupId("createObjectGroup", "nest-top", T)
    const mid = await groupId("createObjectGroup", "nest-mid", T)
    const leaf = await groupId("createObjectGroup", "nest-leaf", T)
    const set = `mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id parentId } }`
    expect(at(await ok(admin, set, { id: mid, p: top }), "setGroupParent")).toEqual({ id: mid, parentId: top })
    expect(
      at(
        await ok(
          admin,
          `mutation($id: ID!, $p: ID!) { setObjectGroupParent(objectGroupId: $id, parentGroupId: $p) { parentId } }`,
          { id: leaf, p: mid },
        ),
        "setObjectGroupParent",
        "parentId",
      ),
    ).toBe(mid)
    expect(
      at(
        await ok(admin, `query($p: ID!) { childGroups(parentId: $p) { items { id } total } }`, { p: top }),
        "childGroups",
      ),
    ).toEqual({ items: [{ id: mid }], total: 1 })
    expect(
      ids(
        at(
          await ok(admin, `query($p: ID!) { objectGroups(parentId: $p) { items { id } } }`, { p: mid }),
          "objectGroups",
          "items",
        ),
      ),
    ).toEqual([leaf])

    expect(await err(admin, set, { id: top, p: leaf })).toBe("setting this parent would create a cycle")
    expect(await err(admin, set, { id: top, p: top })).toBe("a group cannot be its own parent")
    const other = await groupId("createObjectGroup", "nest-other-tenant", U)
    expect(await err(admin, set, { id: leaf, p: other })).toBe("parent group must be in the same tenant")
    const principal = await groupId("createPrincipalGroup", "nest-principal", T)
    expect(await err(admin, set, { id: leaf, p: principal })).toBe("parent group must be of the same group type")
    expect(
      await err(
        admin,
        `mutation($id: ID!, $p: ID!) { setObjectGroupParent(objectGroupId: $id, parentGroupId: $p) { id } }`,
        { id: principal, p: top },
      ),
    ).toBe(`group ${principal} is not an object group`)
    const ghost = randomUUID()
    expect(await err(admin, set, { id: leaf, p: ghost })).toBe(`group ${ghost} not found`)
    expect(await err(admin, set, { id: leaf, p: "nope" })).toBe("parentId must be a UUID")

    // re-parenting replaces the single parent
    expect(at(await ok(admin, set, { id: leaf, p: top }), "setGroupParent", "parentId")).toBe(top)
    expect(
      at(await ok(admin, `mutation($id: ID!) { removeGroupParent(id: $id) }`, { id: leaf }), "removeGroupParent"),
    ).toBe(true)
    expect(
      at(await ok(admin, `query($id: ID!) { group(id: $id) { parentId } }`, { id: leaf }), "group", "parentId"),
    ).toBeNull()
    expect(
      at(
        await ok(admin, `mutation($id: ID!) { removeObjectGroupParent(objectGroupId: $id) }`, { id: mid }),
        "removeObjectGroupParent",
      ),
    ).toBe(true)
    expect(
      at(await ok(admin, `query($p: ID!) { childGroups(parentId: $p) { total } }`, { p: top }), "childGroups", "total"),
    ).toBe(0)
  })

  it("nests principal groups too", async () => {
    const parent = await groupId("createPrincipalGroup", "pnest-parent", T)
    const child = await groupId("createPrincipalGroup", "pnest-child", T)
    await ok(admin, `mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, {
      id: child,
      p: parent,
    })
    expect(
      await err(admin, `mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, {
        id: parent,
        p: child,
      }),
    ).toBe("setting this parent would create a cycle")
  })
})

describe("membership", () => {
  it("adds and removes principal-group members; lists members and an entity's groups", async () => {
    const g = await groupId("createPrincipalGroup", "mem-g", T)
    const e = await entityId({ name: "mem-device", kind: "device", tenantId: T })
    const add = `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`
    const remove = `mutation($g: ID!, $e: ID!) { removeGroupMember(groupId: $g, entityId: $e) }`
    expect(at(await ok(admin, add, { g, e }), "addGroupMember")).toBe(true)
    expect(at(await ok(admin, add, { g, e }), "addGroupMember")).toBe(true)
    expect(
      ids(at(await ok(admin, `query($g: ID!) { groupMembers(groupId: $g) { id } }`, { g }), "groupMembers")),
    ).toEqual([e])
    expect(at(await ok(admin, `query($e: ID!) { entityGroups(entityId: $e) }`, { e }), "entityGroups")).toEqual([g])
    expect(at(await ok(admin, remove, { g, e }), "removeGroupMember")).toBe(true)
    expect(at(await ok(admin, remove, { g, e }), "removeGroupMember")).toBe(false)
    expect(at(await ok(admin, `query($g: ID!) { groupMembers(groupId: $g) { id } }`, { g }), "groupMembers")).toEqual(
      [],
    )
  })

  it("refuses object groups, inactive sides and unknown ids", async () => {
    const add = `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`
    const og = await groupId("createObjectGroup", "mem-og", T)
    const pg = await groupId("createPrincipalGroup", "mem-pg", T)
    const e = await entityId({ name: "mem-d2", kind: "device", tenantId: T })
    expect(await err(admin, add, { g: og, e })).toBe(`group ${og} is not a principal group`)
    await ok(admin, `mutation($id: ID!) { disableEntity(id: $id) { id } }`, { id: e })
    expect(await err(admin, add, { g: pg, e })).toBe(`entity ${e} is not active`)
    await ok(admin, `mutation($id: ID!) { enableEntity(id: $id) { id } }`, { id: e })
    await ok(admin, `mutation($id: ID!) { disableGroup(id: $id) { id } }`, { id: pg })
    expect(await err(admin, add, { g: pg, e })).toBe(`group ${pg} is not active`)
    const ghost = randomUUID()
    expect(await err(admin, add, { g: ghost, e })).toBe(`group ${ghost} not found`)
    expect(await err(admin, add, { g: og, e: ghost })).toBe(`entity ${ghost} not found`)
    expect(await err(admin, add, { g: og, e: "x" })).toBe("entityId must be a UUID")
  })

  it("applies guardrails: a device may not join a group that holds manage on resources", async () => {
    const g = await groupId("createPrincipalGroup", "resource-managers", T)
    await db((sql) =>
      Effect.gen(function* () {
        const block = randomUUID()
        yield* sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind) VALUES (${block}, ${T}, 'object_kind', 'resource')`
        yield* sql`INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT ${block}, id FROM actions WHERE name = 'manage'`
        yield* sql`INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id) VALUES (${T}, 'group', ${g}, ${block})`
      }),
    )
    const device = await entityId({ name: "sensor-guardrail", kind: "device", tenantId: T })
    const person = await entityId({ name: "operator-guardrail", kind: "human", tenantId: T })
    const add = `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`
    expect(await err(admin, add, { g, e: device })).toBe("guardrail rejected device receiving manage on resource")
    expect(
      list(at(await ok(admin, `query($g: ID!) { groupMembers(groupId: $g) { id } }`, { g }), "groupMembers")),
    ).toHaveLength(0)
    expect(at(await ok(admin, add, { g, e: person }), "addGroupMember")).toBe(true)
  })

  it("object groups list their contained entities as members", async () => {
    const og = await groupId("createObjectGroup", "mem-contains", T)
    const e = await entityId({
      name: "mem-contained",
      kind: "device",
      tenantId: T,
      attributes: { parent_group_id: og },
    })
    expect(
      ids(at(await ok(admin, `query($g: ID!) { groupMembers(groupId: $g) { id } }`, { g: og }), "groupMembers")),
    ).toEqual([e])
  })

  it("membership grants what the group holds, at once (revision bumped)", async () => {
    const erin = await human("mem-erin", null)
    const team = await groupId("createPrincipalGroup", "mem-readers", null)
    const sub = await groupId("createPrincipalGroup", "mem-readers-sub", null)
    await ok(admin, `mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, {
      id: sub,
      p: team,
    })
    await grantTenant("group", team, T, ["read"])
    const target = await entityId({ name: "mem-target", kind: "device", tenantId: T })
    const read = `query($id: ID!) { entity(id: $id) { id } }`
    expect(await err(erin.token, read, { id: target })).toBe("forbidden")
    // a member of a child group inherits the parent group's grants
    await ok(admin, `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`, { g: sub, e: erin.id })
    expect(at(await ok(erin.token, read, { id: target }), "entity", "id")).toBe(target)
    const listed = at(await ok(erin.token, `{ entities(limit: 100) { items { tenantId } total } }`), "entities")
    expect(at(listed, "total")).toBeGreaterThan(0)
    expect(new Set(list(at(listed, "items")).map((e) => at(e, "tenantId")))).toEqual(new Set([T]))
    // unnesting cuts the inheritance
    await ok(admin, `mutation($id: ID!) { removeGroupParent(id: $id) }`, { id: sub })
    expect(await err(erin.token, read, { id: target })).toBe("forbidden")
    await ok(admin, `mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, {
      id: sub,
      p: team,
    })
    expect(at(await ok(erin.token, read, { id: target }), "entity", "id")).toBe(target)
    await ok(admin, `mutation($g: ID!, $e: ID!) { removeGroupMember(groupId: $g, entityId: $e) }`, {
      g: sub,
      e: erin.id,
    })
    expect(await err(erin.token, read, { id: target })).toBe("forbidden")
    expect(at(await ok(erin.token, `{ entities { total } }`), "entities", "total")).toBe(0)
  })
})

describe("soft delete, restore, purge", () => {
  it("deletes softly, restores, and purges with the spec's messages", async () => {
    const id = await groupId("createObjectGroup", "life-g", T)
    expect(at(await ok(admin, `mutation($id: ID!) { deleteGroup(id: $id) }`, { id }), "deleteGroup")).toBe(true)
    expect(await err(admin, `query($id: ID!) { group(id: $id) { id } }`, { id })).toBe(`group ${id} not found`)
    expect(
      ids(at(await ok(admin, `{ groups(deleted: deleted, limit: 100) { items { id } } }`), "groups", "items")),
    ).toContain(id)
    expect(ids(at(await ok(admin, `{ groups(limit: 100) { items { id } } }`), "groups", "items"))).not.toContain(id)
    // the name is free again while tombstoned
    const twin = await groupId("createObjectGroup", "life-g", T)
    expect(await err(admin, `mutation($id: ID!) { restoreGroup(id: $id) }`, { id })).toContain(
      "a live record already uses this name",
    )
    await ok(admin, `mutation($id: ID!) { deleteGroup(id: $id) }`, { id: twin })
    await ok(admin, `mutation($id: ID!) { purgeGroup(id: $id) }`, { id: twin })
    expect(at(await ok(admin, `mutation($id: ID!) { restoreGroup(id: $id) }`, { id }), "restoreGroup")).toBe(true)
    expect(
      at(await ok(admin, `query($id: ID!) { group(id: $id) { deletedAt } }`, { id }), "group", "deletedAt"),
    ).toBeNull()
    expect(await err(admin, `mutation($id: ID!) { restoreGroup(id: $id) }`, { id })).toBe(
      `no soft-deleted group ${id} to restore`,
    )
    expect(await err(admin, `mutation($id: ID!) { purgeGroup(id: $id) }`, { id })).toBe(
      `no soft-deleted group ${id} to purge`,
    )
    expect(await rows(`SELECT count(*)::int AS n FROM object_groups WHERE id = $1`, twin)).toEqual([{ n: 0 }])
  })

  it("purging a principal group removes its grants", async () => {
    const g = await groupId("createPrincipalGroup", "life-pg", T)
    await grantTenant("group", g, T, ["read"])
    await ok(admin, `mutation($id: ID!) { deleteGroup(id: $id) }`, { id: g })
    await ok(admin, `mutation($id: ID!) { purgeGroup(id: $id) }`, { id: g })
    expect(await rows(`SELECT count(*)::int AS n FROM direct_policies WHERE subject_id = $1`, g)).toEqual([{ n: 0 }])
  })
})

describe("a limited caller", () => {
  let frank: { id: string; token: string }
  let inT: string
  let inU: string

  beforeAll(async () => {
    frank = await human("grp-frank", T)
    await grantTenant("entity", frank.id, T, ["manage", "read", "write"])
    inT = await groupId("createObjectGroup", "lim-t", T)
    inU = await groupId("createPrincipalGroup", "lim-u", U)
  })

  it("manages groups of its tenant only", async () => {
    expect(
      at(await createGroup("createObjectGroup", { name: "lim-by-frank", tenantId: T }, frank.token), "tenantId"),
    ).toBe(T)
    expect(
      await err(frank.token, `mutation($t: ID) { createObjectGroup(input: { name: "x", tenantId: $t }) { id } }`, {
        t: U,
      }),
    ).toBe("forbidden")
    expect(await err(frank.token, `mutation { createPrincipalGroup(input: { name: "x" }) { id } }`)).toBe("forbidden")
    expect(
      at(
        await ok(frank.token, `mutation($id: ID!) { suspendGroup(id: $id) { status } }`, { id: inT }),
        "suspendGroup",
        "status",
      ),
    ).toBe("suspended")
    expect(await err(frank.token, `mutation($id: ID!) { suspendGroup(id: $id) { status } }`, { id: inU })).toBe(
      "forbidden",
    )
    expect(
      await err(frank.token, `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`, {
        g: inU,
        e: frank.id,
      }),
    ).toBe("forbidden")
    expect(await err(frank.token, `mutation($id: ID!) { deleteGroup(id: $id) }`, { id: inU })).toBe("forbidden")
    expect(await err(frank.token, `mutation($id: ID!) { restoreGroup(id: $id) }`, { id: inT })).toBe("forbidden")
  })

  it("reads and lists only its tenant's groups", async () => {
    expect(at(await ok(frank.token, `query($id: ID!) { group(id: $id) { id } }`, { id: inT }), "group", "id")).toBe(inT)
    expect(await err(frank.token, `query($id: ID!) { group(id: $id) { id } }`, { id: inU })).toBe("forbidden")
    expect(await err(frank.token, `query($id: ID!) { groupMembers(groupId: $id) { id } }`, { id: inU })).toBe(
      "forbidden",
    )
    expect(await err(frank.token, `query($id: ID!) { childGroups(parentId: $id) { total } }`, { id: inU })).toBe(
      "forbidden",
    )
    const mine = at(await ok(frank.token, `{ groups(limit: 100) { items { tenantId } total } }`), "groups")
    expect(new Set(list(at(mine, "items")).map((g) => at(g, "tenantId")))).toEqual(new Set([T]))
    const all = at(
      await ok(admin, `query($t: ID) { groups(tenantId: $t, limit: 100) { total } }`, { t: T }),
      "groups",
      "total",
    )
    expect(at(mine, "total")).toBe(all)
    expect(await err(frank.token, `{ groups(deleted: deleted) { total } }`)).toBe("forbidden")
  })
})
