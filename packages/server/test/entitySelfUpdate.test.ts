import { randomUUID } from "node:crypto"
import { announceLocalChange } from "@atom/repositories/db"
import { Passwords } from "@atom/repositories/identity"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Self-service updates through GraphQL (authz.md §6.14 fixed): an entity renames itself freely, but its
// kind, status, tenant, profile and attributes change only with the grant another entity would need.

let t: TestAtom
let admin: string
const T = randomUUID()
const T2 = randomUUID()
const PASSWORD = "a-long-test-password-1"

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const err = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  expect(res.data ?? null).toBeNull()
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}

const ENTITY = "id kind name alias tenantId status attributes"
const UPDATE = `mutation($id: ID!, $i: UpdateEntityInput!) { updateEntity(id: $id, input: $i) { ${ENTITY} } }`
const GET = `query($id: ID!) { entity(id: $id) { ${ENTITY} } }`

/** An entity with a password, logged in. */
const principal = async (input: Record<string, unknown>) => {
  const created = await ok(admin, `mutation($i: CreateEntityInput!) { createEntity(input: $i) { id } }`, { i: input })
  const id = str(at(created, "createEntity", "id"))
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

/** A tenant-scope allow of `actions` in `tenantId` for an entity, as a direct policy. */
const grantTenant = (subjectId: string, tenantId: string, actions: Array<string>) =>
  t.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.gen(function* () {
        const block = randomUUID()
        yield* sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode) VALUES (${block}, ${tenantId}, 'tenant')`
        yield* sql`INSERT INTO permission_block_actions (permission_block_id, action_id)
                   SELECT ${block}, id FROM actions WHERE name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(actions)}::json))`
        yield* sql`INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id)
                   VALUES (${tenantId}, 'entity', ${subjectId}, ${block})`
        yield* sql`UPDATE authz_revision SET revision = revision + 1`
        // as a service's write does: this replica's caches hear of it now, not when the NOTIFY arrives
        yield* announceLocalChange
      }),
    ),
  )

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  for (const [id, name] of [
    [T, `self-${T}`],
    [T2, `self2-${T2}`],
  ] as const) {
    await ok(admin, `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { id, name } })
  }
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe("self-update (authz.md §6.14)", () => {
  it("renames itself without a grant, but cannot change its kind, status, tenant or attributes", async () => {
    const me = await principal({ name: `self-${randomUUID()}`, kind: "human", attributes: { clearance: "low" } })
    const renamed = await ok(me.token, UPDATE, { id: me.id, i: { name: "new-name", alias: "me-alias" } })
    expect(at(renamed, "updateEntity")).toMatchObject({ name: "new-name", alias: "me-alias" })

    const refused: Array<Record<string, unknown>> = [
      { attributes: { clearance: "high" } },
      { kind: "service" },
      { status: "suspended" },
      { tenantId: T },
      { name: "sneaky", attributes: { clearance: "high" } },
    ]
    for (const i of refused) expect(await err(me.token, UPDATE, { id: me.id, i })).toBe("forbidden")
    expect(at(await ok(me.token, GET, { id: me.id }), "entity")).toMatchObject({
      name: "new-name",
      kind: "human",
      status: "active",
      tenantId: null,
      attributes: { clearance: "low" },
    })
    // sending the current values back (a form resubmitting everything) is no change
    const same = await ok(me.token, UPDATE, {
      id: me.id,
      i: { name: "again", kind: "human", status: "active", attributes: { clearance: "low" } },
    })
    expect(at(same, "updateEntity", "name")).toBe("again")
  })

  it("with the grant another entity would need, it may change its own attributes", async () => {
    const device = await principal({ name: `dev-${randomUUID()}`, kind: "device", tenantId: T, attributes: {} })
    expect(await err(device.token, UPDATE, { id: device.id, i: { attributes: { firmware: "2" } } })).toBe("forbidden")
    await grantTenant(device.id, T, ["write"])
    const changed = await ok(device.token, UPDATE, { id: device.id, i: { attributes: { firmware: "2" } } })
    expect(at(changed, "updateEntity", "attributes")).toEqual({ firmware: "2" })
  })

  it("moving an entity into another tenant needs a grant in that tenant too", async () => {
    const operator = await principal({ name: `op-${randomUUID()}`, kind: "service", tenantId: T })
    await grantTenant(operator.id, T, ["manage"])
    const target = str(
      at(
        await ok(admin, `mutation($i: CreateEntityInput!) { createEntity(input: $i) { id } }`, {
          i: { name: `mv-${randomUUID()}`, kind: "device", tenantId: T },
        }),
        "createEntity",
        "id",
      ),
    )
    expect(await err(operator.token, UPDATE, { id: target, i: { tenantId: T2 } })).toBe("forbidden")
    expect(at(await ok(admin, GET, { id: target }), "entity", "tenantId")).toBe(T)
    await grantTenant(operator.id, T2, ["write"])
    const moved = await ok(operator.token, UPDATE, { id: target, i: { tenantId: T2 } })
    expect(at(moved, "updateEntity", "tenantId")).toBe(T2)
  })
})
