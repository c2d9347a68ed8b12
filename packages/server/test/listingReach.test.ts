import { randomUUID } from "node:crypto"
import { Passwords } from "@atom/repositories/identity"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Entity, resource and group listings show what the one evaluator lets the caller read (authz.md §4): a
// caller whose only read reaches one object group sees exactly that group's objects, with totals and pages
// that agree; platform admins see everything; another tenant's rows never appear. Through GraphQL.

let t: TestAtom
let admin: string
let reader: string
const PASSWORD = "a-long-test-password-1"
const T = randomUUID()
const U = randomUUID()
const G = randomUUID() // object group in T: the reader may read the entities directly in it
const GC = randomUUID() // child of G: the reader may read the resources in it, and the group itself
const GU = randomUUID() // object group in U with the same shape, out of reach
const inG = [randomUUID(), randomUUID(), randomUUID()]
const inGC = randomUUID() // an entity in GC: not directly in G
const outside = [randomUUID(), randomUUID()] // entities of T in no group
const inGU = randomUUID() // an entity of U in GU
const resInG = randomUUID()
const resInGC = [randomUUID(), randomUUID()]
const resInGU = randomUUID()

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const ids = (value: unknown): Array<string> =>
  (Array.isArray(value) ? value : []).map((v) => {
    const id = at(v, "id")
    if (typeof id !== "string") throw new Error(`no id in ${JSON.stringify(v)}`)
    return id
  })
const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const rows = (query: string, ...params: Array<unknown>) =>
  t.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(query, params)),
  )

/** A read allow for `subject` in T with one group scope (and, for group-object modes, a namespaced type). */
const grantRead = async (subject: string, scopeMode: string, groupId: string, objectType: string | null) => {
  const block = randomUUID()
  await rows(
    `INSERT INTO permission_blocks (id, tenant_id, scope_mode, group_id, object_kind, object_type)
     VALUES ($1, $2, $3, $4, split_part($5, ':', 1), $5)`,
    block,
    T,
    scopeMode,
    groupId,
    objectType,
  )
  await rows(
    `INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT $1, id FROM actions WHERE name = 'read'`,
    block,
  )
  await rows(
    `INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id) VALUES ($1, 'entity', $2, $3)`,
    T,
    subject,
    block,
  )
}

/** Every item of a listing, fetched a page of `limit` at a time; each page's total is returned too. */
const allPages = async (token: string, field: string, args: string, limit: number) => {
  const seen: Array<string> = []
  const totals = new Set<unknown>()
  for (let offset = 0; offset < 50; offset += limit) {
    const page = at(
      await ok(token, `query($l: Int, $o: Int) { ${field}(${args} limit: $l, offset: $o) { items { id } total } }`, {
        l: limit,
        o: offset,
      }),
      field,
    )
    totals.add(at(page, "total"))
    const got = ids(at(page, "items"))
    seen.push(...got)
    if (got.length < limit) break
  }
  return { seen, totals: [...totals] }
}

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await rows(`INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)`, T, `lr-t-${T}`, U, `lr-u-${U}`)
  await rows(
    `INSERT INTO object_groups (id, name, tenant_id) VALUES ($1, 'g', $4), ($2, 'gc', $4), ($3, 'gu', $5)`,
    G,
    GC,
    GU,
    T,
    U,
  )
  await rows(`INSERT INTO object_group_hierarchy (child_id, parent_id, tenant_id) VALUES ($1, $2, $3)`, GC, G, T)
  const entity = async (id: string, tenant: string, group: string | null) => {
    await rows(`INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'device', $2, $3)`, id, `lr-${id}`, tenant)
    if (group !== null) {
      await rows(
        `INSERT INTO object_group_entities (entity_id, group_id, tenant_id) VALUES ($1, $2, $3)`,
        id,
        group,
        tenant,
      )
    }
  }
  const resource = async (id: string, tenant: string, group: string) => {
    await rows(
      `INSERT INTO resources (id, kind, name, tenant_id) VALUES ($1, 'channel', $2, $3)`,
      id,
      `lr-${id}`,
      tenant,
    )
    await rows(
      `INSERT INTO object_group_resources (resource_id, group_id, tenant_id) VALUES ($1, $2, $3)`,
      id,
      group,
      tenant,
    )
  }
  for (const id of inG) await entity(id, T, G)
  await entity(inGC, T, GC)
  for (const id of outside) await entity(id, T, null)
  await entity(inGU, U, GU)
  await resource(resInG, T, G)
  for (const id of resInGC) await resource(id, T, GC)
  await resource(resInGU, U, GU)

  const readerId = randomUUID()
  await rows(`INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)`, readerId, `lr-reader`, T)
  await t.atom.runtime.runPromise(
    Effect.gen(function* () {
      const hash = yield* Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD)))
      yield* Effect.flatMap(Passwords, (p) =>
        p.insert({ id: randomUUID(), entityId: readerId, identifier: null, secretHash: hash }),
      )
    }),
  )
  await grantRead(readerId, "group_direct_objects", G, "entity:device")
  await grantRead(readerId, "group_descendant_objects", G, "resource:channel")
  await grantRead(readerId, "group_child_groups", G, null)
  await rows(`UPDATE authz_revision SET revision = revision + 1`)
  reader = await loginToken(t, readerId, PASSWORD)
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe("listings narrowed by the evaluator", () => {
  it("entities: read on one group's objects shows exactly those, the same over every page size", async () => {
    for (const limit of [1, 2, 100]) {
      const { seen, totals } = await allPages(reader, "entities", "", limit)
      expect(new Set(seen)).toEqual(new Set(inG))
      expect(seen).toHaveLength(inG.length)
      expect(totals).toEqual([inG.length])
    }
    // filters still apply on top of the reach
    const filtered = at(await ok(reader, `{ entities(kind: human) { items { id } total } }`), "entities")
    expect(filtered).toEqual({ items: [], total: 0 })
  })

  it("resources: read on the group's descendants shows the child group's resources only", async () => {
    const { seen, totals } = await allPages(reader, "resources", "", 1)
    expect(new Set(seen)).toEqual(new Set(resInGC))
    expect(totals).toEqual([resInGC.length])
  })

  it("groups: read on the child groups shows the child only", async () => {
    const { seen, totals } = await allPages(reader, "groups", "", 10)
    expect(seen).toEqual([GC])
    expect(totals).toEqual([1])
  })

  it("the platform admin sees every row of both tenants", async () => {
    const entities = await allPages(admin, "entities", "", 100)
    for (const id of [...inG, inGC, ...outside, inGU]) expect(entities.seen).toContain(id)
    expect(entities.totals).toEqual([entities.seen.length])
    const resources = await allPages(admin, "resources", "", 100)
    for (const id of [resInG, ...resInGC, resInGU]) expect(resources.seen).toContain(id)
    const groups = await allPages(admin, "groups", "", 100)
    for (const id of [G, GC, GU]) expect(groups.seen).toContain(id)
  })

  it("another tenant's rows never appear, even when asked for by tenant", async () => {
    for (const [field, other] of [
      ["entities", inGU],
      ["resources", resInGU],
      ["groups", GU],
    ] as const) {
      const everything = await allPages(reader, field, "", 100)
      expect(everything.seen).not.toContain(other)
      const asked = at(
        await ok(reader, `query($t: ID) { ${field}(tenantId: $t) { items { id } total } }`, { t: U }),
        field,
      )
      expect(asked).toEqual({ items: [], total: 0 })
    }
  })
})
