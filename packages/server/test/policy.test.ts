import { randomUUID } from "node:crypto"
import { Pdp } from "@atom/services/authz"
import { PasswordHasher } from "@atom/services/passwords"
import { guardrailsForGroupMember } from "@atom/services/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Policy objects and guardrails through GraphQL on a real server (api.md §3.5, authz.md §1, §3.2–§3.4, §5).
// Fixtures the policy area does not own (tenants, entities, groups, resources) are written with SQL.

let t: TestAtom
let admin: string
let tenantCaller: string
const PASSWORD = "a-long-test-password-1"

const T = randomUUID()
const T2 = randomUUID()
const H = randomUUID() // global human, member of T: the tenant-scoped caller
const U = randomUUID() // human owned by T
const D = randomUUID() // device in T
const D2 = randomUUID() // device in T, member of a child principal group
const DG = randomUUID() // global device
const DOFF = randomUUID() // disabled device in T
const S = randomUUID() // service in T
const S2 = randomUUID() // service in T2
const C = randomUUID() // channel in T
const RR = randomUUID() // rule in T
const OG = randomUUID() // object group in T
const OGC = randomUUID() // its child
const OG2 = randomUUID() // object group in T2
const PG = randomUUID() // principal group in T, member U
const PGD = randomUUID() // principal group in T, member D
const PGP = randomUUID() // principal group in T, parent of PGC
const PGC = randomUUID() // principal group in T, member D2
const PG2 = randomUUID() // principal group in T2

// ---- helpers ---------------------------------------------------------------------------------

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const list = (value: unknown): Array<unknown> => (Array.isArray(value) ? value : [])

const ok = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const err = async (token: string | undefined, query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, token, query, variables)
  expect(res.data ?? null).toBeNull()
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}
const db = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
const rows = (query: string, ...params: Array<unknown>) =>
  db((sql) => sql.unsafe<Record<string, unknown>>(query, params))
const revision = async () =>
  Number(at(await rows("SELECT revision::int AS revision FROM authz_revision"), 0, "revision"))

/** A runtime decision, as the PDP answers `authzCheck` (authz.md §2). */
const check = (subjectId: string, action: string, kind: "resource" | "entity", id: string) =>
  t.atom.runtime.runPromise(
    Effect.flatMap(Pdp, (p) => p.check({ subjectId, action, target: { kind, id } })).pipe(
      Effect.map((a) => a.decision.reason),
      Effect.provide(Pdp.Live),
    ),
  )

const BLOCK = `id tenantId scopeMode objectKind objectType objectId groupId effect conditions actions { id name }
  createdAt updatedAt`
const ROLE = `id name tenantId description derivedKind permissionBlocks { id actions { name } } deletedAt deletedBy
  createdAt updatedAt`

let actionIds: Record<string, string> = {}
const act = (name: string): string => str(actionIds[name])

const createBlock = (input: Record<string, unknown>, token = admin) =>
  ok(token, `mutation($i: CreatePermissionBlockInput!) { createPermissionBlock(input: $i) { ${BLOCK} } }`, {
    i: input,
  }).then((d) => at(d, "createPermissionBlock"))
const blockError = (input: Record<string, unknown>, token = admin) =>
  err(token, `mutation($i: CreatePermissionBlockInput!) { createPermissionBlock(input: $i) { id } }`, { i: input })
const blockId = async (input: Record<string, unknown>, token = admin) => str(at(await createBlock(input, token), "id"))

const createRole = async (name: string, tenantId: string | null, token = admin) =>
  str(
    at(
      await ok(token, `mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }`, { i: { name, tenantId } }),
      "createRole",
      "id",
    ),
  )
const REPLACE = `mutation($r: ID!, $b: [ID!]!) { replaceRolePermissionBlocks(roleId: $r, permissionBlockIds: $b) }`
const ASSIGN = `mutation($i: CreateRoleAssignmentInput!) { createRoleAssignment(input: $i) { id tenantId subjectKind
  subjectId roleId role { id name derivedKind } createdAt } }`
const POLICY = `mutation($i: CreateDirectPolicyInput!) { createDirectPolicy(input: $i) { id tenantId subjectKind
  subjectId permissionBlockId permissionBlock { id scopeMode actions { name } } createdAt } }`
const assign = async (input: Record<string, unknown>, token = admin) =>
  str(at(await ok(token, ASSIGN, { i: input }), "createRoleAssignment", "id"))
const attach = async (input: Record<string, unknown>, token = admin) =>
  str(at(await ok(token, POLICY, { i: input }), "createDirectPolicy", "id"))

const fixtures = async () => {
  await rows(`INSERT INTO tenants (id, name) VALUES ($1, $2), ($3, $4)`, T, `t-${T}`, T2, `t2-${T2}`)
  await rows(
    `INSERT INTO entities (id, kind, name, tenant_id, status) VALUES
       ($1, 'human', $2, NULL, 'active'), ($3, 'human', 'u', $4, 'active'), ($5, 'device', 'd', $4, 'active'),
       ($6, 'device', 'd2', $4, 'active'), ($7, 'device', $8, NULL, 'active'), ($9, 'device', 'off', $4, 'inactive'),
       ($10, 'service', 's', $4, 'active'), ($11, 'service', 's2', $12, 'active')`,
    H,
    `h-${H}`,
    U,
    T,
    D,
    D2,
    DG,
    `dg-${DG}`,
    DOFF,
    S,
    S2,
    T2,
  )
  await rows(`INSERT INTO tenant_memberships (tenant_id, entity_id) VALUES ($1, $2)`, T, H)
  await rows(
    `INSERT INTO resources (id, kind, name, tenant_id) VALUES ($1, 'channel', 'c', $3), ($2, 'rule', 'r', $3)`,
    C,
    RR,
    T,
  )
  await rows(
    `INSERT INTO object_groups (id, name, tenant_id) VALUES ($1, 'og', $4), ($2, 'ogc', $4), ($3, 'og2', $5)`,
    OG,
    OGC,
    OG2,
    T,
    T2,
  )
  await rows(`INSERT INTO object_group_hierarchy (child_id, parent_id, tenant_id) VALUES ($1, $2, $3)`, OGC, OG, T)
  await rows(
    `INSERT INTO principal_groups (id, name, tenant_id) VALUES
       ($1, 'pg', $6), ($2, 'pgd', $6), ($3, 'pgp', $6), ($4, 'pgc', $6), ($5, 'pg2', $7)`,
    PG,
    PGD,
    PGP,
    PGC,
    PG2,
    T,
    T2,
  )
  await rows(`INSERT INTO principal_group_hierarchy (child_id, parent_id, tenant_id) VALUES ($1, $2, $3)`, PGC, PGP, T)
  await rows(
    `INSERT INTO principal_group_members (group_id, entity_id) VALUES ($1, $2), ($3, $4), ($5, $6)`,
    PG,
    U,
    PGD,
    D,
    PGC,
    D2,
  )
  const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD))))
  await rows(
    `INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)`,
    randomUUID(),
    H,
    hash,
  )
}

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await fixtures()
  const actions = list(at(await ok(admin, `{ actions(limit: 100) { items { id name } total } }`), "actions", "items"))
  actionIds = Object.fromEntries(actions.map((a) => [str(at(a, "name")), str(at(a, "id"))]))
  // H administers policy and roles in T, and may read there: a T-bound tenant-scope grant
  const grant = await blockId({
    tenantId: T,
    scopeMode: "tenant",
    actionIds: [act("policy.manage"), act("role.manage"), act("read")],
  })
  await attach({ tenantId: T, subjectKind: "entity", subjectId: H, permissionBlockId: grant })
  tenantCaller = await loginToken(t, H, PASSWORD)
})
afterAll(async () => {
  await t?.close()
})

// ---- actions and applicability ------------------------------------------------------------------

describe("actions and their applicability", () => {
  it("lists the 13 seeded actions and filters by where they apply", async () => {
    const all = await ok(admin, `{ actions { items { name applicability { objectKind objectType } } total } }`)
    expect(at(all, "actions", "total")).toBeGreaterThanOrEqual(13)
    const names = list(at(all, "actions", "items")).map((a) => at(a, "name"))
    for (const name of ["read", "manage", "policy.manage", "role.manage", "authz.check"]) expect(names).toContain(name)
    const channel = await ok(
      admin,
      `{ actions(objectKind: "resource", objectType: "resource:channel") { items { name } total } }`,
    )
    const channelNames = list(at(channel, "actions", "items")).map((a) => at(a, "name"))
    expect(channelNames).toEqual(expect.arrayContaining(["publish", "subscribe", "read", "manage"]))
    expect(channelNames).not.toContain("execute")
    const one = await ok(
      admin,
      `query($id: ID!) { action(id: $id) { id name applicability { objectKind objectType } } }`,
      {
        id: act("publish"),
      },
    )
    expect(at(one, "action", "applicability")).toEqual([{ objectKind: "resource", objectType: "resource:channel" }])
    const entries = await ok(
      admin,
      `{ actionApplicability(actionName: "execute") { items { actionName objectKind objectType } total } }`,
    )
    expect(at(entries, "actionApplicability")).toEqual({
      items: [{ actionName: "execute", objectKind: "resource", objectType: "resource:rule" }],
      total: 1,
    })
  })

  it("creates, updates, extends, narrows and deletes an action; each write moves the authz revision", async () => {
    const before = await revision()
    const created = await ok(
      admin,
      `mutation { createAction(input: { name: "custom.op", description: "custom",
        applicability: [{ objectKind: "resource" }, { objectKind: "resource" }] }) {
        id name description applicability { objectKind objectType } createdAt } }`,
    )
    const id = str(at(created, "createAction", "id"))
    expect(at(created, "createAction")).toMatchObject({
      name: "custom.op",
      applicability: [{ objectKind: "resource", objectType: null }],
    })
    expect(str(at(created, "createAction", "createdAt"))).toMatch(/\+00:00$/)
    expect(await revision()).toBeGreaterThan(before)
    expect(await err(admin, `mutation { createAction(input: { name: "custom.op" }) { id } }`)).toBe("already exists")

    const updated = await ok(
      admin,
      `mutation($id: ID!) { updateAction(id: $id, input: { description: "changed",
        applicability: [{ objectKind: "entity", objectType: "entity:device" }] }) {
        name description applicability { objectKind objectType } } }`,
      { id },
    )
    expect(at(updated, "updateAction")).toEqual({
      name: "custom.op",
      description: "changed",
      applicability: [{ objectKind: "entity", objectType: "entity:device" }],
    })
    const added = await ok(
      admin,
      `mutation($id: ID!) { addActionApplicability(input: { actionId: $id, objectKind: "resource",
        objectType: "resource:channel" }) { actionId actionName objectKind objectType createdAt } }`,
      { id },
    )
    expect(at(added, "addActionApplicability")).toMatchObject({
      actionName: "custom.op",
      objectType: "resource:channel",
    })
    expect(
      await ok(
        admin,
        `mutation($id: ID!) { removeActionApplicability(input: { actionId: $id, objectKind: "entity",
          objectType: "entity:device" }) }`,
        { id },
      ),
    ).toEqual({ removeActionApplicability: true })
    expect(
      await err(
        admin,
        `mutation($id: ID!) { removeActionApplicability(input: { actionId: $id, objectKind: "entity",
          objectType: "entity:device" }) }`,
        { id },
      ),
    ).toBe("capability applicability row not found")
    expect(
      await err(
        admin,
        `mutation($id: ID!) { addActionApplicability(input: { actionId: $id, objectKind: "resource",
          objectType: "entity:device" }) { id } }`,
        { id },
      ),
    ).toBe("objectType namespace must match objectKind")
    expect(await ok(admin, `mutation($id: ID!) { deleteAction(id: $id) }`, { id })).toEqual({ deleteAction: true })
    expect(await err(admin, `query($id: ID!) { action(id: $id) { id } }`, { id })).toBe(`capability ${id} not found`)
  })

  it("refuses bad input with the contract's messages", async () => {
    expect(await err(admin, `{ action(id: "nope") { id } }`)).toBe("id must be a UUID")
    expect(
      await err(
        admin,
        `mutation { createAction(input: { name: "x.y", applicability: [{ objectKind: "planet" }] }) { id } }`,
      ),
    ).toBe("objectKind must be a valid object kind")
    expect(await err(admin, `mutation { createAction(input: { name: "   " }) { id } }`)).toBe("name must not be empty")
    const many = Array.from({ length: 101 }, () => '{ objectKind: "resource" }').join(", ")
    expect(await err(admin, `mutation { createAction(input: { name: "big", applicability: [${many}] }) { id } }`)).toBe(
      "applicability must contain at most 100 items",
    )
  })
})

// ---- permission blocks --------------------------------------------------------------------------

describe("permission blocks: every scope mode (authz.md §1, §3.3)", () => {
  it("accepts each mode with its fields and records the exact-object target's kind and type", async () => {
    const accepted: Array<Record<string, unknown>> = [
      { scopeMode: "platform", actionIds: [act("read")] },
      { scopeMode: "tenant", tenantId: T, actionIds: [act("read")] },
      { scopeMode: "object_kind", tenantId: T, objectKind: "resource", actionIds: [act("read")] },
      { scopeMode: "object_kind", objectKind: "entity", actionIds: [act("read")] },
      {
        scopeMode: "object_type",
        tenantId: T,
        objectKind: "resource",
        objectType: "resource:channel",
        actionIds: [act("publish")],
      },
      { scopeMode: "group", tenantId: T, groupId: OG, actionIds: [act("read")] },
      {
        scopeMode: "group_direct_objects",
        tenantId: T,
        groupId: OG,
        objectKind: "entity",
        objectType: "entity:device",
        actionIds: [act("read")],
      },
      {
        scopeMode: "group_descendant_objects",
        tenantId: T,
        groupId: OG,
        objectKind: "resource",
        objectType: "resource:channel",
        actionIds: [act("publish")],
      },
      { scopeMode: "group_child_groups", tenantId: T, groupId: OG, actionIds: [act("read")] },
      { scopeMode: "group_descendant_groups", tenantId: T, groupId: OG, actionIds: [act("manage")] },
    ]
    for (const input of accepted) {
      const block = await createBlock(input)
      expect(block).toMatchObject({
        scopeMode: input.scopeMode,
        tenantId: input.tenantId ?? null,
        effect: "allow",
        conditions: {},
      })
    }
    const exact = await createBlock({
      scopeMode: "object",
      tenantId: T,
      objectId: RR,
      actionIds: [act("execute")],
      effect: "deny",
    })
    expect(exact).toMatchObject({
      scopeMode: "object",
      objectId: RR,
      objectKind: "resource",
      objectType: "resource:rule",
      effect: "deny",
      actions: [{ name: "execute" }],
    })
    const entity = await createBlock({ scopeMode: "object", objectId: DG, actionIds: [act("read")] })
    expect(entity).toMatchObject({ objectKind: "entity", objectType: "entity:device" })
  })

  it("refuses fields a mode forbids or lacks", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ scopeMode: "platform", tenantId: T }, "platform permission block cannot include tenant or object fields"],
      [{ scopeMode: "tenant" }, "tenant permission block requires tenantId"],
      [
        { scopeMode: "tenant", tenantId: T, objectKind: "resource" },
        "tenant permission block cannot include object fields",
      ],
      [{ scopeMode: "object_kind", tenantId: T }, "object_kind permission block requires objectKind"],
      [{ scopeMode: "object_kind", objectKind: "planet" }, "objectKind must be a valid object kind"],
      [
        { scopeMode: "object_type", objectKind: "resource" },
        "object_type permission block requires objectKind and objectType",
      ],
      [
        { scopeMode: "object_type", objectKind: "resource", objectType: "entity:device" },
        "objectType namespace must match objectKind",
      ],
      [{ scopeMode: "object" }, "object permission block requires objectId"],
      [{ scopeMode: "object", objectId: randomUUID() }, "object permission block references unknown object"],
      [{ scopeMode: "group", groupId: OG }, "object group scope requires tenantId"],
      [{ scopeMode: "group", tenantId: T }, "object group scope requires groupId"],
      [
        { scopeMode: "group", tenantId: T, groupId: OG2 },
        "object group scope must reference a group in the same tenant",
      ],
      [{ scopeMode: "group", tenantId: T, groupId: randomUUID() }, "object group scope references unknown group"],
      // a principal group is not an object group
      [{ scopeMode: "group_child_groups", tenantId: T, groupId: PG }, "object group scope references unknown group"],
      [
        { scopeMode: "group_direct_objects", tenantId: T, groupId: OG, objectKind: "entity" },
        "object group object permission block requires objectKind and objectType",
      ],
      [
        { scopeMode: "group_direct_objects", tenantId: T, groupId: OG, objectKind: "group", objectType: "group:group" },
        "object group object permission block objectKind must be entity or resource",
      ],
      [{ scopeMode: "bogus" }, "unsupported permission block scopeMode 'bogus'"],
      // a bare type would never match (§2.6), so it is refused rather than stored inert (§6.16 fixed)
      [
        { scopeMode: "object_type", tenantId: T, objectKind: "resource", objectType: "channel" },
        "objectType must be namespaced as object_kind:type",
      ],
      [
        { scopeMode: "group_direct_objects", tenantId: T, groupId: OG, objectKind: "entity", objectType: "device" },
        "objectType must be namespaced as object_kind:type",
      ],
      // a tenant-bound exact-object block must point into its tenant (§6.16 fixed): a global object or
      // another tenant's would never match a grant bounded to this tenant
      [
        { scopeMode: "object", tenantId: T, objectId: S2 },
        "object permission block must reference an object in the same tenant",
      ],
      [
        { scopeMode: "object", tenantId: T, objectId: DG },
        "object permission block must reference an object in the same tenant",
      ],
      [
        { scopeMode: "object", tenantId: T, objectId: T2 },
        "object permission block must reference an object in the same tenant",
      ],
    ]
    for (const [input, message] of cases) {
      expect(await blockError({ actionIds: [act("read")], ...input })).toBe(message)
    }
  })

  it("checks every action's applicability where the block points (scenario 58)", async () => {
    expect(
      await blockError({
        scopeMode: "object_type",
        tenantId: T,
        objectKind: "resource",
        objectType: "resource:channel",
        actionIds: [act("execute")],
      }),
    ).toBe("capability execute is not applicable to resource:channel")
    expect(await blockError({ scopeMode: "object", tenantId: T, objectId: RR, actionIds: [act("publish")] })).toBe(
      "capability publish is not applicable to resource:rule",
    )
    expect(
      await blockError({ scopeMode: "object_kind", objectKind: "audit_log", actionIds: [act("write"), act("manage")] }),
    ).toBe("capability manage is not applicable to audit_log")
    expect(
      await blockError({ scopeMode: "group_child_groups", tenantId: T, groupId: OG, actionIds: [act("publish")] }),
    ).toBe("capability publish is not applicable to group")
    expect(
      await blockError({
        scopeMode: "group_direct_objects",
        tenantId: T,
        groupId: OG,
        objectKind: "entity",
        objectType: "entity:device",
        actionIds: [act("execute")],
      }),
    ).toBe("capability execute is not applicable to entity:device")
    // platform and tenant scopes are not checked: authz.check applies to nothing but gates
    expect(await createBlock({ scopeMode: "tenant", tenantId: T, actionIds: [act("authz.check")] })).toMatchObject({
      scopeMode: "tenant",
    })
  })

  it("validates conditions, actions and ids; a refused block leaves nothing behind", async () => {
    const count = async () =>
      Number(
        at(
          await ok(admin, `query($t: ID) { permissionBlocks(tenantId: $t) { total } }`, { t: T }),
          "permissionBlocks",
          "total",
        ),
      )
    const before = await count()
    expect(
      await blockError({ scopeMode: "tenant", tenantId: T, conditions: "oops", actionIds: [act("read")] }),
    ).toContain("conditions must be a JSON object")
    expect(await blockError({ scopeMode: "tenant", tenantId: T, conditions: [1], actionIds: [act("read")] })).toBe(
      "conditions must be a JSON object",
    )
    expect(await blockError({ scopeMode: "tenant", tenantId: T, actionIds: [] })).toBe(
      "permission block requires at least one action",
    )
    const ghost = randomUUID()
    expect(await blockError({ scopeMode: "tenant", tenantId: T, actionIds: [act("read"), ghost] })).toBe(
      `capability ${ghost} does not exist`,
    )
    expect(await blockError({ scopeMode: "tenant", tenantId: T, actionIds: ["read"] })).toBe("actionId must be a UUID")
    expect(await blockError({ scopeMode: "tenant", tenantId: "t-1", actionIds: [act("read")] })).toBe(
      "tenantId must be a UUID",
    )
    expect(await blockError({ scopeMode: "object", objectId: "x", actionIds: [act("read")] })).toBe(
      "objectId must be a UUID",
    )
    const tooMany = Array.from({ length: 101 }, () => randomUUID())
    expect(await blockError({ scopeMode: "tenant", tenantId: T, actionIds: tooMany })).toBe(
      "actionIds must contain at most 100 items",
    )
    expect(await count()).toBe(before)

    const withNull = await createBlock({
      scopeMode: "tenant",
      tenantId: T,
      conditions: null,
      actionIds: [act("read"), act("read")],
    })
    expect(withNull).toMatchObject({ conditions: {}, actions: [{ name: "read" }] })
    const conditional = await createBlock({
      scopeMode: "tenant",
      tenantId: T,
      conditions: { "context.mfa": true, "entity.attributes.department": { in: ["ops"] } },
      actionIds: [act("read")],
    })
    expect(at(conditional, "conditions")).toEqual({
      "context.mfa": true,
      "entity.attributes.department": { in: ["ops"] },
    })
    const shown = await ok(admin, `query($id: ID!) { permissionBlock(id: $id) { ${BLOCK} } }`, {
      id: at(conditional, "id"),
    })
    expect(at(shown, "permissionBlock", "conditions")).toEqual(at(conditional, "conditions"))
    expect(await count()).toBe(before + 2)
    const unknown = randomUUID()
    expect(await err(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: unknown })).toBe(
      `permission block ${unknown} not found`,
    )
  })
})

// ---- roles ------------------------------------------------------------------------------------

describe("roles", () => {
  it("creates, links blocks wholesale, renames, lists by derived kind and search", async () => {
    const role = await createRole("operators", T)
    const empty = await ok(admin, `query($id: ID!) { role(id: $id) { ${ROLE} } }`, { id: role })
    expect(at(empty, "role")).toMatchObject({
      name: "operators",
      tenantId: T,
      derivedKind: "empty",
      permissionBlocks: [],
      deletedAt: null,
    })
    expect(
      await err(admin, `mutation($t: ID) { createRole(input: { name: "operators", tenantId: $t }) { id } }`, { t: T }),
    ).toBe("already exists")

    const read = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const publish = await blockId({
      scopeMode: "object_type",
      tenantId: T,
      objectKind: "resource",
      objectType: "resource:channel",
      actionIds: [act("publish")],
    })
    expect(await ok(admin, REPLACE, { r: role, b: [read, publish, read] })).toEqual({
      replaceRolePermissionBlocks: true,
    })
    const linked = await ok(admin, `query($id: ID!) { role(id: $id) { derivedKind permissionBlocks { id } } }`, {
      id: role,
    })
    expect(at(linked, "role", "derivedKind")).toBe("simple")
    expect(
      list(at(linked, "role", "permissionBlocks"))
        .map((b) => at(b, "id"))
        .sort(),
    ).toEqual([read, publish].sort())

    // wholesale: the new set replaces the old
    await ok(admin, REPLACE, { r: role, b: [publish] })
    const replaced = await ok(admin, `query($id: ID!) { role(id: $id) { permissionBlocks { id } } }`, { id: role })
    expect(at(replaced, "role", "permissionBlocks")).toEqual([{ id: publish }])

    const renamed = await ok(
      admin,
      `mutation($id: ID!) { updateRole(id: $id, input: { description: "ops team" }) { name description } }`,
      {
        id: role,
      },
    )
    expect(at(renamed, "updateRole")).toEqual({ name: "operators", description: "ops team" })

    const simple = await ok(
      admin,
      `query($t: ID) { roles(tenantId: $t, derivedKind: "simple") { items { id } total } }`,
      { t: T },
    )
    expect(list(at(simple, "roles", "items")).map((r) => at(r, "id"))).toContain(role)
    const searched = await ok(admin, `query($t: ID) { roles(tenantId: $t, q: "OPS TEAM") { items { id } total } }`, {
      t: T,
    })
    expect(at(searched, "roles")).toEqual({ items: [{ id: role }], total: 1 })
    const empties = await ok(admin, `query($t: ID) { roles(tenantId: $t, derivedKind: "empty") { items { id } } }`, {
      t: T,
    })
    expect(list(at(empties, "roles", "items")).map((r) => at(r, "id"))).not.toContain(role)
    expect(await err(admin, `{ roles(derivedKind: "nested") { total } }`)).toBe(
      "derivedKind must be simple, composite, or empty",
    )
  })

  it("links only existing blocks of the role's own tenant; a refused replacement changes nothing", async () => {
    const role = await createRole("strict", T)
    const mine = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const theirs = await blockId({ scopeMode: "tenant", tenantId: T2, actionIds: [act("read")] })
    await ok(admin, REPLACE, { r: role, b: [mine] })
    const message = "role permission blocks must exist and belong to the same tenant as the role"
    expect(await err(admin, REPLACE, { r: role, b: [mine, theirs] })).toBe(message)
    expect(await err(admin, REPLACE, { r: role, b: [randomUUID()] })).toBe(message)
    const global = await blockId({ scopeMode: "platform", actionIds: [act("read")] })
    expect(await err(admin, REPLACE, { r: role, b: [global] })).toBe(message)
    expect(await err(admin, REPLACE, { r: role, b: ["nope"] })).toBe("permissionBlockId must be a UUID")
    expect(await err(admin, REPLACE, { r: role, b: Array.from({ length: 101 }, () => randomUUID()) })).toBe(
      "permissionBlockIds must contain at most 100 items",
    )
    const unknown = randomUUID()
    expect(await err(admin, REPLACE, { r: unknown, b: [] })).toBe(`role ${unknown} not found`)
    const after = await ok(admin, `query($id: ID!) { role(id: $id) { permissionBlocks { id } } }`, { id: role })
    expect(at(after, "role", "permissionBlocks")).toEqual([{ id: mine }])
  })

  it("soft-deletes, restores and purges, garbage-collecting blocks nothing else uses", async () => {
    const role = await createRole("temporary", T)
    const other = await createRole("keeper", T)
    const own = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const shared = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("write")] })
    await ok(admin, REPLACE, { r: role, b: [own, shared] })
    await ok(admin, REPLACE, { r: other, b: [shared] })

    expect(await err(admin, `mutation($id: ID!) { purgeRole(id: $id) }`, { id: role })).toBe(
      `no soft-deleted role ${role} to purge`,
    )
    expect(await ok(admin, `mutation($id: ID!) { deleteRole(id: $id) }`, { id: role })).toEqual({ deleteRole: true })
    expect(await err(admin, `query($id: ID!) { role(id: $id) { id } }`, { id: role })).toBe(`role ${role} not found`)
    expect(await err(admin, `mutation($id: ID!) { deleteRole(id: $id) }`, { id: role })).toBe(`role ${role} not found`)
    const deleted = await ok(
      admin,
      `query($t: ID) { roles(tenantId: $t, deleted: deleted) { items { id deletedAt deletedBy } } }`,
      { t: T },
    )
    expect(list(at(deleted, "roles", "items"))).toEqual([
      { id: role, deletedAt: expect.stringMatching(/\+00:00$/), deletedBy: "00000000-0000-0000-0000-000000000001" },
    ])
    // a soft-deleted role keeps its blocks
    expect(await ok(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: own })).toEqual({
      permissionBlock: { id: own },
    })

    expect(await ok(admin, `mutation($id: ID!) { restoreRole(id: $id) }`, { id: role })).toEqual({ restoreRole: true })
    expect(await err(admin, `mutation($id: ID!) { restoreRole(id: $id) }`, { id: role })).toBe(
      `no soft-deleted role ${role} to restore`,
    )
    await ok(admin, `mutation($id: ID!) { deleteRole(id: $id) }`, { id: role })
    expect(await ok(admin, `mutation($id: ID!) { purgeRole(id: $id) }`, { id: role })).toEqual({ purgeRole: true })
    expect(await err(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: own })).toBe(
      `permission block ${own} not found`,
    )
    expect(await ok(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: shared })).toEqual({
      permissionBlock: { id: shared },
    })
  })
})

// ---- assignments and direct policies -----------------------------------------------------------

describe("role assignments and direct policies: boundaries (authz.md §3.3)", () => {
  it("assigns within the boundary and refuses subjects outside it", async () => {
    const roleT = await createRole("viewers", T)
    const roleT2 = await createRole("viewers", T2)
    const platformRole = await createRole(`platform-viewers-${randomUUID()}`, null)

    const shown = await ok(admin, ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: H, roleId: roleT } })
    expect(at(shown, "createRoleAssignment")).toMatchObject({
      tenantId: T,
      subjectKind: "entity",
      subjectId: H,
      roleId: roleT,
      role: { id: roleT, name: "viewers", derivedKind: "empty" },
    })
    await assign({ tenantId: T, subjectKind: "entity", subjectId: U, roleId: roleT })
    await assign({ tenantId: T, subjectKind: "group", subjectId: PG, roleId: roleT })
    await assign({ tenantId: null, subjectKind: "entity", subjectId: DG, roleId: platformRole })

    const cases: Array<[Record<string, unknown>, string]> = [
      // scenario 54
      [
        { tenantId: T, subjectKind: "group", subjectId: PG, roleId: roleT2 },
        "role assignment tenantId must match role tenantId",
      ],
      [
        { tenantId: null, subjectKind: "entity", subjectId: U, roleId: platformRole },
        "platform assignment cannot target tenant-owned entity",
      ],
      [
        { tenantId: T2, subjectKind: "entity", subjectId: U, roleId: roleT2 },
        "tenant assignment subject entity must belong to the tenant",
      ],
      [
        { tenantId: T2, subjectKind: "group", subjectId: PG, roleId: roleT2 },
        "assignment subject principal group must be in the same tenant",
      ],
      [
        { tenantId: T, subjectKind: "entity", subjectId: DOFF, roleId: roleT },
        "assignment references a deleted, disabled, or unknown subject",
      ],
      [
        { tenantId: T, subjectKind: "entity", subjectId: randomUUID(), roleId: roleT },
        "assignment references a deleted, disabled, or unknown subject",
      ],
      [
        { tenantId: T, subjectKind: "group", subjectId: U, roleId: roleT },
        "assignment references a deleted, disabled, or unknown subject",
      ],
      [{ tenantId: T, subjectKind: "entity", subjectId: "u", roleId: roleT }, "subjectId must be a UUID"],
      [{ tenantId: T, subjectKind: "entity", subjectId: U, roleId: "r" }, "roleId must be a UUID"],
    ]
    for (const [input, message] of cases) expect(await err(admin, ASSIGN, { i: input })).toBe(message)
    const ghost = randomUUID()
    expect(await err(admin, ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: U, roleId: ghost } })).toBe(
      `role ${ghost} not found`,
    )

    const listed = await ok(
      admin,
      `query($r: ID) { roleAssignments(roleId: $r) { items { subjectId role { id } } total } }`,
      { r: roleT },
    )
    expect(at(listed, "roleAssignments", "total")).toBe(3)
    const bySubject = await ok(
      admin,
      `query($s: ID) { roleAssignments(subjectKind: group, subjectId: $s) { total } }`,
      { s: PG },
    )
    expect(at(bySubject, "roleAssignments", "total")).toBe(1)
  })

  it("a soft-deleted role is not assignable and its assignments are not listed (scenario 38)", async () => {
    const role = await createRole("ephemeral", T)
    await assign({ tenantId: T, subjectKind: "entity", subjectId: U, roleId: role })
    await ok(admin, `mutation($id: ID!) { deleteRole(id: $id) }`, { id: role })
    expect(await err(admin, ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: S, roleId: role } })).toBe(
      `role ${role} not found`,
    )
    const listed = await ok(admin, `query($r: ID) { roleAssignments(roleId: $r) { total } }`, { r: role })
    expect(at(listed, "roleAssignments", "total")).toBe(0)
  })

  it("direct policies need a block of their own tenant; deleting one collects its block when unused", async () => {
    const block = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const globalBlock = await blockId({ scopeMode: "platform", actionIds: [act("read")] })
    expect(
      await err(admin, POLICY, {
        i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: globalBlock },
      }),
    ).toBe("direct policy tenantId must match permission block tenantId")
    expect(
      await err(admin, POLICY, {
        i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: randomUUID() },
      }),
    ).toBe("direct policy references unknown permission block")
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: S2, permissionBlockId: block } }),
    ).toBe("tenant assignment subject entity must belong to the tenant")
    const shown = await ok(admin, POLICY, {
      i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: block },
    })
    expect(at(shown, "createDirectPolicy")).toMatchObject({
      tenantId: T,
      subjectId: S,
      permissionBlockId: block,
      permissionBlock: { id: block, scopeMode: "tenant", actions: [{ name: "read" }] },
    })
    const policy = str(at(shown, "createDirectPolicy", "id"))
    const listed = await ok(admin, `query($b: ID) { directPolicies(permissionBlockId: $b) { items { id } total } }`, {
      b: block,
    })
    expect(at(listed, "directPolicies")).toEqual({ items: [{ id: policy }], total: 1 })

    // a block also linked to a role survives its policy's deletion
    const kept = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("write")] })
    const holder = await createRole("holder", T)
    await ok(admin, REPLACE, { r: holder, b: [kept] })
    const keptPolicy = await attach({ tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: kept })

    expect(await ok(admin, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: policy })).toEqual({
      deleteDirectPolicy: true,
    })
    expect(await err(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: block })).toBe(
      `permission block ${block} not found`,
    )
    await ok(admin, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: keptPolicy })
    expect(await ok(admin, `query($id: ID!) { permissionBlock(id: $id) { id } }`, { id: kept })).toEqual({
      permissionBlock: { id: kept },
    })
    expect(await err(admin, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: policy })).toBe(
      `direct policy ${policy} not found`,
    )
    expect(await err(admin, `mutation { deleteRoleAssignment(id: "x") }`)).toBe("id must be a UUID")
  })

  it("refuses to delete a block while it is linked (scenario 69); never-linked blocks are not collected", async () => {
    const b = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const r1 = await createRole("r1", T)
    const r2 = await createRole("r2", T)
    await ok(admin, REPLACE, { r: r1, b: [b] })
    await ok(admin, REPLACE, { r: r2, b: [b] })
    expect(await err(admin, `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, { id: b })).toContain(
      "still linked",
    )
    await ok(admin, REPLACE, { r: r1, b: [] })
    expect(await err(admin, `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, { id: b })).toContain(
      "still linked",
    )
    await ok(admin, REPLACE, { r: r2, b: [] })
    expect(await ok(admin, `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, { id: b })).toEqual({
      deletePermissionBlock: true,
    })
    expect(await err(admin, `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, { id: b })).toBe(
      `permission block ${b} not found`,
    )
  })
})

// ---- guardrails -------------------------------------------------------------------------------

describe("guardrails (authz.md §3.4)", () => {
  const REJECTED = "guardrail rejected device receiving manage on resource"

  it("a device never receives manage on resources: direct policy, role assignment (scenarios 55, 56)", async () => {
    const global = await blockId({ scopeMode: "object_kind", objectKind: "resource", actionIds: [act("manage")] })
    expect(
      await err(admin, POLICY, {
        i: { tenantId: null, subjectKind: "entity", subjectId: DG, permissionBlockId: global },
      }),
    ).toMatch(new RegExp(`^${REJECTED}`))
    const none = await ok(admin, `query($s: ID) { directPolicies(subjectId: $s) { total } }`, { s: DG })
    expect(at(none, "directPolicies", "total")).toBe(0)

    const manage = await blockId({
      scopeMode: "object_kind",
      tenantId: T,
      objectKind: "resource",
      actionIds: [act("manage")],
    })
    const role = await createRole("resource-admins", T)
    await ok(admin, REPLACE, { r: role, b: [manage] })
    expect(await err(admin, ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: D, roleId: role } })).toBe(
      REJECTED,
    )
    // a typed block names its type once
    const typed = await blockId({
      scopeMode: "object_type",
      tenantId: T,
      objectKind: "resource",
      objectType: "resource:channel",
      actionIds: [act("write")],
    })
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: D, permissionBlockId: typed } }),
    ).toBe("guardrail rejected device receiving write on resource:channel")
    // an exact-object block is judged by its target's real kind
    const exact = await blockId({ scopeMode: "object", tenantId: T, objectId: C, actionIds: [act("delete")] })
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: D, permissionBlockId: exact } }),
    ).toBe("guardrail rejected device receiving delete on resource:channel")
    // humans and services are allowed the same
    await assign({ tenantId: T, subjectKind: "entity", subjectId: U, roleId: role })
    await assign({ tenantId: T, subjectKind: "entity", subjectId: S, roleId: role })
  })

  it("a group subject is judged by the kinds of its members and its descendants' members", async () => {
    const manage = await blockId({
      scopeMode: "object_kind",
      tenantId: T,
      objectKind: "resource",
      actionIds: [act("manage")],
    })
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "group", subjectId: PGD, permissionBlockId: manage } }),
    ).toBe(REJECTED)
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "group", subjectId: PGP, permissionBlockId: manage } }),
    ).toBe(REJECTED)
    await attach({ tenantId: T, subjectKind: "group", subjectId: PG, permissionBlockId: manage })
  })

  it("link replacement is judged for every holder, and a refusal leaves the links as they were (scenario 60)", async () => {
    const role = await createRole("device-role", T)
    await assign({ tenantId: T, subjectKind: "entity", subjectId: D, roleId: role })
    const read = await blockId({
      scopeMode: "object_kind",
      tenantId: T,
      objectKind: "resource",
      actionIds: [act("read")],
    })
    await ok(admin, REPLACE, { r: role, b: [read] })
    const manage = await blockId({
      scopeMode: "object_kind",
      tenantId: T,
      objectKind: "resource",
      actionIds: [act("manage")],
    })
    expect(await err(admin, REPLACE, { r: role, b: [read, manage] })).toBe(REJECTED)
    const links = await ok(admin, `query($id: ID!) { role(id: $id) { permissionBlocks { id } } }`, { id: role })
    expect(at(links, "role", "permissionBlocks")).toEqual([{ id: read }])

    // members of a child of a holder group count too (§6.3 fixed)
    const groupRole = await createRole("group-role", T)
    await assign({ tenantId: T, subjectKind: "group", subjectId: PGP, roleId: groupRole })
    expect(await err(admin, REPLACE, { r: groupRole, b: [manage] })).toBe(REJECTED)
  })

  it("rules: v1 creation limits, conflicts, listing, deletion (scenario 59)", async () => {
    const action = str(
      at(
        await ok(
          admin,
          `mutation { createAction(input: { name: "rule.op", applicability: [{ objectKind: "resource" }] }) { id } }`,
        ),
        "createAction",
        "id",
      ),
    )
    const RULE = `mutation($i: CreateActionAssignmentRuleInput!) { createActionAssignmentRule(input: $i) {
      id tenantId entityKind actionName objectKind objectType decision isAbsolute createdAt } }`
    const base = { entityKind: "workload", actionName: "rule.op", objectKind: "resource", decision: "allow" }
    const created = await ok(admin, RULE, { i: base })
    expect(at(created, "createActionAssignmentRule")).toMatchObject({
      ...base,
      tenantId: null,
      objectType: null,
      isAbsolute: false,
    })
    const ruleId = str(at(created, "createActionAssignmentRule", "id"))
    const listed = await ok(
      admin,
      `{ actionAssignmentRules(entityKind: workload, actionName: "rule.op", objectKind: "resource") {
      items { id } total } }`,
    )
    expect(at(listed, "actionAssignmentRules")).toEqual({ items: [{ id: ruleId }], total: 1 })

    expect(await err(admin, RULE, { i: { ...base, decision: "deny" } })).toBe("action assignment rule already exists")
    expect(await err(admin, RULE, { i: { ...base, actionName: "no.such" } })).toBe(
      "actionName references unknown action no.such",
    )
    expect(await err(admin, RULE, { i: { ...base, objectType: "entity:device" } })).toBe(
      "objectType namespace must match objectKind",
    )
    expect(await err(admin, RULE, { i: { ...base, objectType: "channel" } })).toBe(
      "objectType must be namespaced as object_kind:type",
    )
    expect(await err(admin, RULE, { i: { ...base, objectKind: "planet" } })).toBe(
      "objectKind must be a valid object kind",
    )
    expect(await err(admin, RULE, { i: { ...base, tenantId: T } })).toBe(
      "tenant-specific guardrail rules can only deny in v1",
    )
    expect(await err(admin, RULE, { i: { ...base, tenantId: T, decision: "deny", isAbsolute: true } })).toBe(
      "tenant-specific guardrail rules cannot be absolute",
    )
    // require_override is not even a value of the creation enum
    expect(await err(admin, RULE, { i: { ...base, decision: "require_override" } })).toBeTruthy()

    expect(await ok(admin, `mutation($id: ID!) { deleteActionAssignmentRule(id: $id) }`, { id: ruleId })).toEqual({
      deleteActionAssignmentRule: true,
    })
    expect(await err(admin, `mutation($id: ID!) { deleteActionAssignmentRule(id: $id) }`, { id: ruleId })).toBe(
      `action assignment rule ${ruleId} not found`,
    )
    expect(action).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("a tenant deny rule binds only assignments bounded to its tenant", async () => {
    const RULE = `mutation($i: CreateActionAssignmentRuleInput!) { createActionAssignmentRule(input: $i) { id tenantId } }`
    await ok(admin, RULE, {
      i: { tenantId: T, entityKind: "service", actionName: "subscribe", objectKind: "resource", decision: "deny" },
    })
    const inT = await blockId({
      scopeMode: "object_kind",
      tenantId: T,
      objectKind: "resource",
      actionIds: [act("subscribe")],
    })
    expect(
      await err(admin, POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: inT } }),
    ).toBe("guardrail rejected service receiving subscribe on resource")
    const inT2 = await blockId({
      scopeMode: "object_kind",
      tenantId: T2,
      objectKind: "resource",
      actionIds: [act("subscribe")],
    })
    await attach({ tenantId: T2, subjectKind: "entity", subjectId: S2, permissionBlockId: inT2 })
    const rules = await ok(
      admin,
      `query($t: ID) { actionAssignmentRules(tenantId: $t) { items { tenantId } total } }`,
      { t: T },
    )
    expect(at(rules, "actionAssignmentRules", "total")).toBe(1)
  })

  it("guardrailsForGroupMember judges what a new member would inherit, role grants by their real scope", async () => {
    const member = (groupId: string, entityId: string) =>
      t.atom.runtime.runPromise(Effect.either(guardrailsForGroupMember(groupId, entityId)))
    // PG holds a T-bound object_kind resource {manage} direct policy (above); PGP a role whose blocks are real scopes
    const onPg = await member(PG, D)
    expect(Either.isLeft(onPg) && onPg.left.message).toBe(REJECTED)
    expect(Either.isRight(await member(PG, S))).toBe(true)
    const role = await createRole("inherited", T)
    const manage = await blockId({
      scopeMode: "object_type",
      tenantId: T,
      objectKind: "resource",
      objectType: "resource:channel",
      actionIds: [act("manage")],
    })
    await ok(admin, REPLACE, { r: role, b: [manage] })
    // a parent group with no members yet: the role's block reaches whoever joins its child
    const parent = randomUUID()
    const child = randomUUID()
    await rows(
      `INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, 'parent', $3), ($2, 'child', $3)`,
      parent,
      child,
      T,
    )
    await rows(
      `INSERT INTO principal_group_hierarchy (child_id, parent_id, tenant_id) VALUES ($1, $2, $3)`,
      child,
      parent,
      T,
    )
    await assign({ tenantId: T, subjectKind: "group", subjectId: parent, roleId: role })
    const viaAncestor = await member(child, D2)
    expect(Either.isLeft(viaAncestor) && viaAncestor.left.message).toBe(
      "guardrail rejected device receiving manage on resource:channel",
    )
    expect(Either.isRight(await member(child, U))).toBe(true)
  })
})

describe("guardrails deny by default (ATOM_GUARDRAIL_DEFAULT=deny)", () => {
  let strict: TestAtom
  let strictAdmin: string
  const TS = randomUUID()
  const SV = randomUUID()
  const HU = randomUUID()
  beforeAll(async () => {
    strict = await startTestAtom({ ATOM_GUARDRAIL_DEFAULT: "deny" })
    strictAdmin = await adminToken(strict)
    await strict.atom.runtime.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.zipRight(
          sql`INSERT INTO tenants (id, name) VALUES (${TS}, ${`strict-${TS}`})`,
          sql`INSERT INTO entities (id, kind, name, tenant_id) VALUES (${SV}, 'service', 'sv', ${TS}), (${HU}, 'human', 'hu', ${TS})`,
        ),
      ),
    )
  })
  afterAll(async () => {
    await strict?.close()
  })

  it("refuses an assignment no rule allows, and allows one a rule allows", async () => {
    const q = (query: string, variables: Record<string, unknown>) => gql(strict, strictAdmin, query, variables)
    const ids = await q(`{ actions(limit: 100) { items { id name } } }`, {})
    const byName = Object.fromEntries(
      list(at(ids.data, "actions", "items")).map((a) => [str(at(a, "name")), str(at(a, "id"))]),
    )
    const block = async (action: string) =>
      str(
        at(
          (
            await q(`mutation($i: CreatePermissionBlockInput!) { createPermissionBlock(input: $i) { id } }`, {
              i: { tenantId: TS, scopeMode: "object_kind", objectKind: "resource", actionIds: [byName[action]] },
            })
          ).data,
          "createPermissionBlock",
          "id",
        ),
      )
    const read = await block("read")
    const refused = await q(POLICY, {
      i: { tenantId: TS, subjectKind: "entity", subjectId: SV, permissionBlockId: read },
    })
    expect(refused.errors?.[0]?.message).toBe("guardrail rejected service receiving read on resource")
    const manage = await block("manage")
    const allowed = await q(POLICY, {
      i: { tenantId: TS, subjectKind: "entity", subjectId: HU, permissionBlockId: manage },
    })
    expect(allowed.errors).toBeUndefined()
    expect(at(allowed.data, "createDirectPolicy", "subjectId")).toBe(HU)
  })
})

// ---- gates ------------------------------------------------------------------------------------

describe("gates (authz.md §3.2) for a tenant-scoped caller", () => {
  it("manages roles, blocks and grants in its tenant only (scenario 46)", async () => {
    const role = await createRole("tenant-made", T, tenantCaller)
    expect(await err(tenantCaller, `mutation { createRole(input: { name: "global-made" }) { id } }`)).toBe("forbidden")
    expect(
      await err(tenantCaller, `mutation($t: ID) { createRole(input: { name: "x", tenantId: $t }) { id } }`, { t: T2 }),
    ).toBe("forbidden")
    const block = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] }, tenantCaller)
    expect(await blockError({ scopeMode: "platform", actionIds: [act("read")] }, tenantCaller)).toBe("forbidden")
    expect(await blockError({ scopeMode: "tenant", tenantId: T2, actionIds: [act("read")] }, tenantCaller)).toBe(
      "forbidden",
    )
    await ok(tenantCaller, REPLACE, { r: role, b: [block] })
    await assign({ tenantId: T, subjectKind: "entity", subjectId: U, roleId: role }, tenantCaller)
    const roleT2 = await createRole("theirs", T2)
    expect(
      await err(tenantCaller, ASSIGN, { i: { tenantId: T2, subjectKind: "entity", subjectId: S2, roleId: roleT2 } }),
    ).toBe("forbidden")
    expect(await err(tenantCaller, REPLACE, { r: roleT2, b: [] })).toBe("forbidden")
  })

  it("reads its tenant's policy objects, not the platform's; catalogue writes and hygiene are platform-only", async () => {
    const blocks = await ok(tenantCaller, `query($t: ID) { permissionBlocks(tenantId: $t) { total } }`, { t: T })
    expect(at(blocks, "permissionBlocks", "total")).toBeGreaterThan(0)
    await ok(
      tenantCaller,
      `query($t: ID) { roles(tenantId: $t) { total } roleAssignments(tenantId: $t) { total }
      directPolicies(tenantId: $t) { total } actions(tenantId: $t) { total } }`,
      { t: T },
    )
    expect(await err(tenantCaller, `{ permissionBlocks { total } }`)).toBe("forbidden")
    expect(await err(tenantCaller, `{ roles { total } }`)).toBe("forbidden")
    expect(await err(tenantCaller, `query($t: ID) { roles(tenantId: $t, deleted: all) { total } }`, { t: T })).toBe(
      "forbidden",
    )
    expect(await err(tenantCaller, `query($t: ID) { permissionBlocks(tenantId: $t) { total } }`, { t: T2 })).toBe(
      "forbidden",
    )
    expect(await err(tenantCaller, `mutation { createAction(input: { name: "mine" }) { id } }`)).toBe("forbidden")
    expect(await err(tenantCaller, `{ orphanPolicies { id } }`)).toBe("forbidden")
    expect(await err(undefined, `{ roles { total } }`)).toBe("missing authentication")
  })
})

// ---- decisions and hygiene ------------------------------------------------------------------------

describe("grants take effect at the next check", () => {
  it("an assignment grants, its deletion revokes; deleting and restoring the role does too (scenario 37)", async () => {
    const S = randomUUID()
    await rows(`INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'service', 'reader', $2)`, S, T)
    const block = await blockId({
      scopeMode: "object_type",
      tenantId: T,
      objectKind: "resource",
      objectType: "resource:channel",
      actionIds: [act("read")],
    })
    const role = await createRole("channel-readers", T)
    await ok(admin, REPLACE, { r: role, b: [block] })
    expect(await check(S, "read", "resource", C)).toBe("no matching allow policy")
    const before = await revision()
    const assignment = await assign({ tenantId: T, subjectKind: "entity", subjectId: S, roleId: role })
    expect(await revision()).toBeGreaterThan(before)
    expect(await check(S, "read", "resource", C)).toBe("allowed")

    await ok(admin, `mutation($id: ID!) { deleteRole(id: $id) }`, { id: role })
    expect(await check(S, "read", "resource", C)).toBe("no matching allow policy")
    await ok(admin, `mutation($id: ID!) { restoreRole(id: $id) }`, { id: role })
    expect(await check(S, "read", "resource", C)).toBe("allowed")

    expect(await ok(admin, `mutation($id: ID!) { deleteRoleAssignment(id: $id) }`, { id: assignment })).toEqual({
      deleteRoleAssignment: true,
    })
    expect(await check(S, "read", "resource", C)).toBe("no matching allow policy")
    expect(await err(admin, `mutation($id: ID!) { deleteRoleAssignment(id: $id) }`, { id: assignment })).toBe(
      `role assignment ${assignment} not found`,
    )
  })

  it("a direct deny overrides, and removing it restores access", async () => {
    const allow = await blockId({ scopeMode: "tenant", tenantId: T, actionIds: [act("read")] })
    const deny = await blockId({
      scopeMode: "object",
      tenantId: T,
      objectId: U,
      effect: "deny",
      actionIds: [act("read")],
    })
    await attach({ tenantId: T, subjectKind: "entity", subjectId: U, permissionBlockId: allow })
    const denyPolicy = await attach({ tenantId: T, subjectKind: "entity", subjectId: U, permissionBlockId: deny })
    expect(await check(U, "read", "entity", U)).toBe("explicitly denied by direct policy")
    await ok(admin, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: denyPolicy })
    expect(await check(U, "read", "entity", U)).toBe("allowed")
  })

  it("orphanPolicies reports bindings whose subject row is gone", async () => {
    const role = await createRole("orphaned", T)
    const ghost = randomUUID()
    const id = randomUUID()
    await rows(
      `INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id) VALUES ($1, $2, 'entity', $3, $4)`,
      id,
      T,
      ghost,
      role,
    )
    const orphans = list(
      at(
        await ok(
          admin,
          `{ orphanPolicies(limit: 200) { id tenantId sourceKind subjectKind subjectId roleId permissionBlockId orphanReason createdAt } }`,
        ),
        "orphanPolicies",
      ),
    )
    expect(orphans).toContainEqual({
      id,
      tenantId: T,
      sourceKind: "role_assignment",
      subjectKind: "entity",
      subjectId: ghost,
      roleId: role,
      permissionBlockId: null,
      orphanReason: "subject_not_found",
      createdAt: expect.stringMatching(/\+00:00$/),
    })
  })
})
