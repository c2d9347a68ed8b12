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
const AUTHENTICATED_USERS = "00000000-0000-0000-0000-000000000005"
const PASSWORD = "a-long-test-password-1"

// ---- helpers (each test file keeps its own) -------------------------------------------------

/** A value at a path of a GraphQL answer, without assuming its shape. */
const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const list = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : [])
const ids = (value: unknown): Array<string> => list(value).map((v) => str(at(v, "id")))

/** The data of a document that must succeed. */
const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
/** The first error message of a document that must fail. */
const err = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}
const db = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
const rows = (query: string, ...params: Array<string>) =>
  db((sql) => sql.unsafe<Record<string, unknown>>(query, params))

const ENTITY = `id kind name alias tenantId parentGroupId status attributes deletedAt deletedBy createdAt updatedAt`
const CREATE = `mutation($input: CreateEntityInput!) { createEntity(input: $input) { ${ENTITY} } }`

const createEntity = async (input: Record<string, unknown>, token = admin) =>
  at(await ok(token, CREATE, { input }), "createEntity")

/** A human with a password, logged in. */
const human = async (name: string, tenantId: string | null) => {
  const id = str(at(await createEntity({ name, kind: "human", tenantId }), "id"))
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

/** A tenant-scope allow of `actions` in `tenantId` for a subject, as a direct policy. */
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
  await db((sql) => sql`INSERT INTO tenants (id, name) VALUES (${T}, ${"ent-t"}), (${U}, ${"ent-u"})`)
})
afterAll(async () => {
  await t?.close()
})

describe("createEntity", () => {
  it("creates with a client-chosen id, a normalised alias, and puts humans in authenticated-users", async () => {
    const id = randomUUID()
    const e = await createEntity({
      id: id.toUpperCase(),
      name: "ent-alice",
      kind: "human",
      alias: "  Alice-1 ",
      tenantId: T,
      attributes: { team: "a" },
    })
    expect(e).toMatchObject({
      id,
      kind: "human",
      name: "ent-alice",
      alias: "alice-1",
      tenantId: T,
      status: "active",
      attributes: { team: "a" },
      deletedAt: null,
      parentGroupId: null,
    })
    expect(str(at(e, "createdAt"))).toMatch(/\+00:00$/)
    const groups = at(await ok(admin, `query($id: ID!) { entityGroups(entityId: $id) }`, { id }), "entityGroups")
    expect(groups).toContain(AUTHENTICATED_USERS)
    const device = await createEntity({ name: "ent-dev-1", kind: "device", tenantId: T })
    const deviceGroups = at(
      await ok(admin, `query($id: ID!) { entityGroups(entityId: $id) }`, { id: at(device, "id") }),
      "entityGroups",
    )
    expect(deviceGroups).toEqual([])
  })

  it("keeps attribute keys exactly as given (no case transform)", async () => {
    const e = await createEntity({
      name: "ent-attrs",
      kind: "service",
      attributes: { snake_key: { inner_key: 1 }, camelKey: true },
    })
    expect(at(e, "attributes")).toEqual({ snake_key: { inner_key: 1 }, camelKey: true })
  })

  it("validates aliases with the spec's messages", async () => {
    const cases: Array<[string, string]> = [
      ["0b9f2c9e-2a4e-4c55-9a53-1f6f0e7e8a11", "alias must not be UUID-shaped"],
      ["0b9f2c9e2a4e4c559a531f6f0e7e8a11", "alias must not be UUID-shaped"],
      ["bad_alias", "alias may contain only lowercase letters, digits, and '-'"],
      ["-lead", "alias must start with a letter or digit"],
      ["trail-", "alias must not end with '-'"],
      ["a".repeat(64), "alias must be at most 63 characters"],
    ]
    for (const [alias, message] of cases) {
      expect(
        await err(admin, CREATE, {
          input: { name: `ent-alias-${alias.length}-${message.length}`, kind: "device", alias },
        }),
      ).toContain(message)
    }
    const blank = await createEntity({ name: "ent-blank-alias", kind: "device", alias: "   " })
    expect(at(blank, "alias")).toBeNull()
  })

  it("refuses duplicates, bad ids, unknown tenants, missing kinds and bad group placement", async () => {
    await createEntity({ name: "ent-dup", kind: "device", tenantId: T, alias: "dup" })
    expect(await err(admin, CREATE, { input: { name: "ent-dup", kind: "device", tenantId: T } })).toBe("already exists")
    expect(await err(admin, CREATE, { input: { name: "ent-dup-2", kind: "device", tenantId: T, alias: "DUP" } })).toBe(
      "already exists",
    )
    // the same name in another tenant is fine
    await createEntity({ name: "ent-dup", kind: "device", tenantId: U })
    expect(await err(admin, CREATE, { input: { name: "x", kind: "device", tenantId: "nope" } })).toBe(
      "tenantId must be a UUID",
    )
    expect(await err(admin, CREATE, { input: { id: "123", name: "x", kind: "device" } })).toBe("id must be a UUID")
    const ghost = randomUUID()
    expect(await err(admin, CREATE, { input: { name: "x", kind: "device", tenantId: ghost } })).toBe(
      `active tenant ${ghost} not found`,
    )
    expect(await err(admin, CREATE, { input: { name: "x" } })).toBe("kind is required without profile_id")
    expect(await err(admin, CREATE, { input: { name: "  ", kind: "device" } })).toBe("name must not be empty")
    expect(
      await err(admin, CREATE, {
        input: { name: "x", kind: "device", tenantId: T, attributes: { parent_group_id: "g1" } },
      }),
    ).toBe("parent_group_id must be a UUID")
    expect(await err(admin, CREATE, { input: { name: "x", kind: "device", attributes: [1] } })).toBe(
      "attributes must be a JSON object",
    )
  })

  it("places the entity in the object group named by attributes.parent_group_id", async () => {
    const group = at(
      await ok(admin, `mutation($i: CreateGroupInput!) { createObjectGroup(input: $i) { id } }`, {
        i: { name: "ent-place", tenantId: T },
      }),
      "createObjectGroup",
      "id",
    )
    const e = await createEntity({
      name: "ent-placed",
      kind: "device",
      tenantId: T,
      attributes: { parent_group_id: group },
    })
    expect(at(e, "parentGroupId")).toBe(group)
    expect(
      await err(admin, CREATE, {
        input: { name: "ent-placed-g", kind: "device", attributes: { parent_group_id: group } },
      }),
    ).toBe("platform entity cannot be placed in a group")
    expect(
      await err(admin, CREATE, {
        input: { name: "ent-placed-u", kind: "device", tenantId: U, attributes: { parent_group_id: group } },
      }),
    ).toContain("tenant")
  })
})

describe("reading and listing", () => {
  it("reads one entity; unknown and malformed ids are reported", async () => {
    const e = await createEntity({ name: "ent-read", kind: "workload", tenantId: T })
    const id = str(at(e, "id"))
    expect(at(await ok(admin, `query($id: ID!) { entity(id: $id) { ${ENTITY} } }`, { id }), "entity")).toEqual(e)
    const ghost = randomUUID()
    expect(await err(admin, `query($id: ID!) { entity(id: $id) { id } }`, { id: ghost })).toBe(
      `entity ${ghost} not found`,
    )
    expect(await err(admin, `query { entity(id: "zz") { id } }`)).toBe("id must be a UUID")
  })

  it("filters by q (name, alias, attributes), kind, tenant and status, newest first, with limit/offset/total", async () => {
    const a = await createEntity({ name: "zeta-one", kind: "application", tenantId: U, alias: "zeta-a" })
    const b = await createEntity({
      name: "zeta-two",
      kind: "application",
      tenantId: U,
      attributes: { color: "ultraviolet" },
    })
    const c = await createEntity({ name: "other-zeta", kind: "device", tenantId: U })
    const q = `query($q: String, $kind: EntityKind, $t: ID, $s: EntityStatus, $l: Int, $o: Int) {
      entities(q: $q, kind: $kind, tenantId: $t, status: $s, limit: $l, offset: $o) { items { id name } total } }`
    const byName = at(await ok(admin, q, { q: "ZETA", t: U }), "entities")
    expect(ids(at(byName, "items"))).toEqual([at(c, "id"), at(b, "id"), at(a, "id")])
    expect(at(byName, "total")).toBe(3)
    expect(ids(at(await ok(admin, q, { q: "ultraviolet" }), "entities", "items"))).toEqual([at(b, "id")])
    expect(ids(at(await ok(admin, q, { q: "zeta-a" }), "entities", "items"))).toEqual([at(a, "id")])
    expect(at(await ok(admin, q, { q: "zeta", kind: "application", t: U }), "entities", "total")).toBe(2)
    const paged = at(await ok(admin, q, { q: "zeta", t: U, l: 1, o: 1 }), "entities")
    expect(ids(at(paged, "items"))).toEqual([at(b, "id")])
    expect(at(paged, "total")).toBe(3)
    // limit is clamped to at least 1
    expect(list(at(await ok(admin, q, { q: "zeta", t: U, l: 0 }), "entities", "items"))).toHaveLength(1)
    await ok(admin, `mutation($id: ID!) { disableEntity(id: $id) { status } }`, { id: at(c, "id") })
    expect(ids(at(await ok(admin, q, { q: "zeta", t: U, s: "inactive" }), "entities", "items"))).toEqual([at(c, "id")])
    expect(await err(admin, q, { t: "x" })).toBe("tenantId must be a UUID")
  })

  it("filters by object group, directly or with descendants", async () => {
    const mk = async (name: string) =>
      str(
        at(
          await ok(admin, `mutation($i: CreateGroupInput!) { createObjectGroup(input: $i) { id } }`, {
            i: { name, tenantId: T },
          }),
          "createObjectGroup",
          "id",
        ),
      )
    const top = await mk("ent-top")
    const sub = await mk("ent-sub")
    await ok(
      admin,
      `mutation($c: ID!, $p: ID!) { setObjectGroupParent(objectGroupId: $c, parentGroupId: $p) { id } }`,
      { c: sub, p: top },
    )
    const e1 = str(at(await createEntity({ name: "ent-in-top", kind: "device", tenantId: T }), "id"))
    const e2 = str(at(await createEntity({ name: "ent-in-sub", kind: "device", tenantId: T }), "id"))
    await ok(admin, `mutation($e: ID!, $g: ID!) { setEntityParentGroup(entityId: $e, groupId: $g) { id } }`, {
      e: e1,
      g: top,
    })
    await ok(admin, `mutation($e: ID!, $g: ID!) { addEntityToObjectGroup(entityId: $e, objectGroupId: $g) { id } }`, {
      e: e2,
      g: sub,
    })
    const q = `query($g: ID, $d: Boolean) { entities(parentGroupId: $g, includeDescendants: $d) { items { id } total } }`
    expect(ids(at(await ok(admin, q, { g: top }), "entities", "items"))).toEqual([e1])
    expect(ids(at(await ok(admin, q, { g: top, d: true }), "entities", "items"))).toEqual([e2, e1])
  })
})

describe("updateEntity", () => {
  it("patches: absent alias keeps it, null clears it; other fields change", async () => {
    const id = str(at(await createEntity({ name: "ent-upd", kind: "device", tenantId: T, alias: "upd" }), "id"))
    const m = `mutation($id: ID!, $i: UpdateEntityInput!) { updateEntity(id: $id, input: $i) { name alias status attributes kind } }`
    expect(at(await ok(admin, m, { id, i: { name: "ent-upd-2", attributes: { k: 1 } } }), "updateEntity")).toEqual({
      name: "ent-upd-2",
      alias: "upd",
      status: "active",
      attributes: { k: 1 },
      kind: "device",
    })
    expect(at(await ok(admin, m, { id, i: { alias: null, status: "suspended" } }), "updateEntity")).toMatchObject({
      alias: null,
      status: "suspended",
    })
    expect(at(await ok(admin, m, { id, i: { alias: "New-Alias" } }), "updateEntity", "alias")).toBe("new-alias")
    expect(await err(admin, m, { id, i: { alias: "bad alias" } })).toContain("alias may contain only")
    const ghost = randomUUID()
    expect(await err(admin, m, { id: ghost, i: { name: "x" } })).toBe(`entity ${ghost} not found`)
  })

  it("moves an entity between active tenants, leaving its object group", async () => {
    const g = str(
      at(
        await ok(admin, `mutation($i: CreateGroupInput!) { createObjectGroup(input: $i) { id } }`, {
          i: { name: "ent-move-g", tenantId: T },
        }),
        "createObjectGroup",
        "id",
      ),
    )
    const id = str(
      at(
        await createEntity({ name: "ent-mover", kind: "device", tenantId: T, attributes: { parent_group_id: g } }),
        "id",
      ),
    )
    const moved = at(
      await ok(
        admin,
        `mutation($id: ID!, $t: ID) { updateEntity(id: $id, input: { tenantId: $t }) { tenantId parentGroupId } }`,
        { id, t: U },
      ),
      "updateEntity",
    )
    expect(moved).toEqual({ tenantId: U, parentGroupId: null })
  })
})

describe("lifecycle", () => {
  it("soft delete revokes credentials and sessions; restore keeps them revoked; purge removes the row", async () => {
    const bob = await human("ent-bob", T)
    expect(at(await ok(bob.token, `query($id: ID!) { entity(id: $id) { id } }`, { id: bob.id }), "entity", "id")).toBe(
      bob.id,
    )
    expect(at(await ok(admin, `mutation($id: ID!) { deleteEntity(id: $id) }`, { id: bob.id }), "deleteEntity")).toBe(
      true,
    )
    expect((await gql(t, bob.token, `{ health }`)).errors?.[0]?.message).toBeDefined()
    expect(await rows(`SELECT status, revocation_reason FROM credentials WHERE entity_id = $1`, bob.id)).toEqual([
      { status: "revoked", revocationReason: "entity_deleted" },
    ])
    expect(
      await rows(`SELECT count(*)::int AS n FROM sessions WHERE entity_id = $1 AND revoked_at IS NULL`, bob.id),
    ).toEqual([{ n: 0 }])
    expect(await err(admin, `query($id: ID!) { entity(id: $id) { id } }`, { id: bob.id })).toBe(
      `entity ${bob.id} not found`,
    )
    const deleted = at(
      await ok(admin, `{ entities(deleted: deleted, limit: 100) { items { id status deletedAt deletedBy } } }`),
      "entities",
      "items",
    )
    expect(list(deleted).find((e) => at(e, "id") === bob.id)).toMatchObject({
      status: "inactive",
      deletedBy: "00000000-0000-0000-0000-000000000001",
    })
    expect(ids(at(await ok(admin, `{ entities(limit: 100) { items { id } } }`), "entities", "items"))).not.toContain(
      bob.id,
    )

    expect(at(await ok(admin, `mutation($id: ID!) { restoreEntity(id: $id) }`, { id: bob.id }), "restoreEntity")).toBe(
      true,
    )
    expect(
      at(await ok(admin, `query($id: ID!) { entity(id: $id) { status deletedAt } }`, { id: bob.id }), "entity"),
    ).toEqual({ status: "active", deletedAt: null })
    // credentials stay revoked
    await expect(loginToken(t, bob.id, PASSWORD)).rejects.toThrow(/401/)

    expect(await err(admin, `mutation($id: ID!) { restoreEntity(id: $id) }`, { id: bob.id })).toBe(
      `no soft-deleted entity ${bob.id} to restore`,
    )
    expect(await err(admin, `mutation($id: ID!) { purgeEntity(id: $id) }`, { id: bob.id })).toBe(
      `no soft-deleted entity ${bob.id} to purge`,
    )
    await ok(admin, `mutation($id: ID!) { deleteEntity(id: $id) }`, { id: bob.id })
    expect(at(await ok(admin, `mutation($id: ID!) { purgeEntity(id: $id) }`, { id: bob.id }), "purgeEntity")).toBe(true)
    expect(await rows(`SELECT count(*)::int AS n FROM entities WHERE id = $1`, bob.id)).toEqual([{ n: 0 }])
    expect(await rows(`SELECT count(*)::int AS n FROM credentials WHERE entity_id = $1`, bob.id)).toEqual([{ n: 0 }])
  })

  it("refuses to restore over a name taken in the meantime", async () => {
    const old = str(at(await createEntity({ name: "ent-reused", kind: "device", tenantId: T }), "id"))
    await ok(admin, `mutation($id: ID!) { deleteEntity(id: $id) }`, { id: old })
    await createEntity({ name: "ent-reused", kind: "device", tenantId: T })
    expect(await err(admin, `mutation($id: ID!) { restoreEntity(id: $id) }`, { id: old })).toContain(
      "a live record already uses this name",
    )
    expect(await rows(`SELECT deleted_at IS NOT NULL AS deleted FROM entities WHERE id = $1`, old)).toEqual([
      { deleted: true },
    ])
  })

  it("disable makes authentication refuse the entity; enable lets it back", async () => {
    const dana = await human("ent-dana", T)
    const disabled = at(
      await ok(admin, `mutation($id: ID!) { disableEntity(id: $id) { status } }`, { id: dana.id }),
      "disableEntity",
    )
    expect(disabled).toEqual({ status: "inactive" })
    await expect(loginToken(t, dana.id, PASSWORD)).rejects.toThrow(/entity is not active/)
    // still listed (authz.md §4), still readable by admins
    expect(
      at(await ok(admin, `query($id: ID!) { entity(id: $id) { status } }`, { id: dana.id }), "entity", "status"),
    ).toBe("inactive")
    await ok(admin, `mutation($id: ID!) { enableEntity(id: $id) { status } }`, { id: dana.id })
    expect(await loginToken(t, dana.id, PASSWORD)).toMatch(/\./)
  })
})

describe("ownership", () => {
  it("adds, lists and removes ownership links", async () => {
    const owner = str(at(await createEntity({ name: "ent-owner", kind: "service", tenantId: T }), "id"))
    const owned = str(at(await createEntity({ name: "ent-owned", kind: "device", tenantId: T }), "id"))
    const add = `mutation($a: ID!, $b: ID!, $r: String) { addOwnership(ownerId: $a, ownedId: $b, relation: $r) { ownerId ownedId relation createdAt } }`
    expect(at(await ok(admin, add, { a: owner, b: owned }), "addOwnership")).toMatchObject({
      ownerId: owner,
      ownedId: owned,
      relation: "owner",
    })
    expect(at(await ok(admin, add, { a: owner, b: owned, r: "operator" }), "addOwnership", "relation")).toBe("operator")
    expect(
      ids(at(await ok(admin, `query($a: ID!) { ownedEntities(ownerId: $a) { id } }`, { a: owner }), "ownedEntities")),
    ).toEqual([owned])
    const remove = `mutation($a: ID!, $b: ID!) { removeOwnership(ownerId: $a, ownedId: $b) }`
    expect(at(await ok(admin, remove, { a: owner, b: owned }), "removeOwnership")).toBe(true)
    expect(at(await ok(admin, remove, { a: owner, b: owned }), "removeOwnership")).toBe(false)
    const ghost = randomUUID()
    expect(await err(admin, add, { a: owner, b: ghost })).toBe(`entity ${ghost} not found`)
    expect(await err(admin, add, { a: owner, b: "x" })).toBe("ownedId must be a UUID")
  })
})

describe("a limited caller", () => {
  let alice: { id: string; token: string }
  let inT: string
  let inU: string

  beforeAll(async () => {
    alice = await human("ent-tenant-admin", T)
    await grantTenant("entity", alice.id, T, ["manage", "read", "write"])
    inT = str(at(await createEntity({ name: "ent-lim-t", kind: "device", tenantId: T }), "id"))
    inU = str(at(await createEntity({ name: "ent-lim-u", kind: "device", tenantId: U }), "id"))
  })

  it("creates and manages entities in its tenant only", async () => {
    const made = await createEntity({ name: "ent-by-alice", kind: "device", tenantId: T }, alice.token)
    expect(at(made, "tenantId")).toBe(T)
    expect(await err(alice.token, CREATE, { input: { name: "ent-by-alice-u", kind: "device", tenantId: U } })).toBe(
      "forbidden",
    )
    expect(await err(alice.token, CREATE, { input: { name: "ent-by-alice-g", kind: "device" } })).toBe("forbidden")
    const upd = `mutation($id: ID!) { updateEntity(id: $id, input: { attributes: { x: 1 } }) { attributes } }`
    expect(at(await ok(alice.token, upd, { id: inT }), "updateEntity", "attributes")).toEqual({ x: 1 })
    expect(await err(alice.token, upd, { id: inU })).toBe("forbidden")
    expect(await err(alice.token, `mutation($id: ID!) { deleteEntity(id: $id) }`, { id: inU })).toBe("forbidden")
    expect(await err(alice.token, `mutation($id: ID!) { disableEntity(id: $id) { id } }`, { id: inU })).toBe(
      "forbidden",
    )
    expect(await err(alice.token, `mutation($id: ID!) { restoreEntity(id: $id) }`, { id: inT })).toBe("forbidden")
  })

  it("reads and lists only what it can read", async () => {
    expect(at(await ok(alice.token, `query($id: ID!) { entity(id: $id) { id } }`, { id: inT }), "entity", "id")).toBe(
      inT,
    )
    expect(await err(alice.token, `query($id: ID!) { entity(id: $id) { id } }`, { id: inU })).toBe("forbidden")
    const mine = at(await ok(alice.token, `{ entities(limit: 100) { items { id tenantId } total } }`), "entities")
    const tenants = new Set(list(at(mine, "items")).map((e) => at(e, "tenantId")))
    expect([...tenants]).toEqual([T])
    const all = at(
      await ok(admin, `query($t: ID) { entities(tenantId: $t, limit: 100) { total } }`, { t: T }),
      "entities",
      "total",
    )
    expect(at(mine, "total")).toBe(all)
    expect(await err(alice.token, `{ entities(deleted: all) { total } }`)).toBe("forbidden")
  })

  it("an outsider can read and update itself, but nothing else", async () => {
    const carol = await human("ent-carol", null)
    expect(
      at(await ok(carol.token, `query($id: ID!) { entity(id: $id) { name } }`, { id: carol.id }), "entity", "name"),
    ).toBe("ent-carol")
    const self = `mutation($id: ID!) { updateEntity(id: $id, input: { alias: "carol" }) { alias } }`
    expect(at(await ok(carol.token, self, { id: carol.id }), "updateEntity", "alias")).toBe("carol")
    expect(await err(carol.token, self, { id: inT })).toBe("forbidden")
    expect(await err(carol.token, `query($id: ID!) { entity(id: $id) { id } }`, { id: inT })).toBe("forbidden")
    expect(at(await ok(carol.token, `{ entities { items { id } total } }`), "entities")).toEqual({
      items: [],
      total: 0,
    })
    expect(
      await err(carol.token, `mutation($a: ID!, $b: ID!) { addOwnership(ownerId: $a, ownedId: $b) { relation } }`, {
        a: carol.id,
        b: inT,
      }),
    ).toBe("forbidden")
    expect(await err(carol.token, `query($id: ID!) { ownedEntities(ownerId: $id) { id } }`, { id: inT })).toBe(
      "forbidden",
    )
    expect(
      await err(carol.token, `mutation($e: ID!) { clearEntityParentGroup(entityId: $e) { id } }`, { e: inT }),
    ).toBe("forbidden")
    // deleting oneself needs no grant
    expect(
      at(await ok(carol.token, `mutation($id: ID!) { deleteEntity(id: $id) }`, { id: carol.id }), "deleteEntity"),
    ).toBe(true)
  })

  it("anonymous callers get missing authentication", async () => {
    const res = await gql(t, undefined, `{ entities { total } }`)
    expect(res.errors?.[0]?.message).toBe("missing authentication")
  })
})
