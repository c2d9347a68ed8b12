import { randomUUID } from "node:crypto"
import { announceLocalChange } from "@atom/repositories/db"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Guardrails judge platform/tenant blocks on every kind they cover (authz.md §6.2 fixed) and expand one way
// for every write that hands grants out: createDirectPolicy, createRoleAssignment, replaceRolePermissionBlocks
// and addGroupMember, nested holder groups included (§6.3 fixed). Through GraphQL on a real server.

let t: TestAtom
let admin: string
const T = randomUUID()
const D = randomUUID() // device in T
const DG = randomUUID() // global device
const S = randomUUID() // service in T
const H = randomUUID() // human in T
const PARENT = randomUUID() // principal group in T, parent of CHILD
const CHILD = randomUUID() // principal group in T, member D (nested holder)
const EMPTY = randomUUID() // principal group in T, no members yet

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const ok = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, admin, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const err = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, admin, query, variables)
  expect(res.data ?? null).toBeNull()
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}
const rows = (query: string, ...params: Array<unknown>) =>
  t.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(query, params)),
  )

let actionIds: Record<string, string> = {}
const block = async (input: Record<string, unknown>, actions: Array<string>) =>
  str(
    at(
      await ok(`mutation($i: CreatePermissionBlockInput!) { createPermissionBlock(input: $i) { id } }`, {
        i: { ...input, actionIds: actions.map((a) => str(actionIds[a])) },
      }),
      "createPermissionBlock",
      "id",
    ),
  )
const role = async (name: string, tenantId: string | null, blocks: Array<string>) => {
  const id = str(
    at(
      await ok(`mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }`, { i: { name, tenantId } }),
      "createRole",
      "id",
    ),
  )
  if (blocks.length > 0) await ok(REPLACE, { r: id, b: blocks })
  return id
}
const REPLACE = `mutation($r: ID!, $b: [ID!]!) { replaceRolePermissionBlocks(roleId: $r, permissionBlockIds: $b) }`
const POLICY = `mutation($i: CreateDirectPolicyInput!) { createDirectPolicy(input: $i) { id } }`
const ASSIGN = `mutation($i: CreateRoleAssignmentInput!) { createRoleAssignment(input: $i) { id } }`
const ADD = `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`
const REJECTED = "guardrail rejected device receiving manage on resource"

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await rows(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, T, `g-${T}`)
  await rows(
    `INSERT INTO entities (id, kind, name, tenant_id) VALUES
       ($1, 'device', 'd', $5), ($2, 'device', $6, NULL), ($3, 'service', 's', $5), ($4, 'human', 'h', $5)`,
    D,
    DG,
    S,
    H,
    T,
    `dg-${DG}`,
  )
  await rows(
    `INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, 'parent', $4), ($2, 'child', $4), ($3, 'empty', $4)`,
    PARENT,
    CHILD,
    EMPTY,
    T,
  )
  await rows(
    `INSERT INTO principal_group_hierarchy (child_id, parent_id, tenant_id) VALUES ($1, $2, $3)`,
    CHILD,
    PARENT,
    T,
  )
  await rows(`INSERT INTO principal_group_members (group_id, entity_id) VALUES ($1, $2)`, CHILD, D)
  const actions = at(await ok(`{ actions(limit: 100) { items { id name } } }`), "actions", "items")
  actionIds = Object.fromEntries(
    (Array.isArray(actions) ? actions : []).map((a) => [str(at(a, "name")), str(at(a, "id"))]),
  )
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe("platform and tenant blocks are judged on every kind they cover (authz.md §6.2)", () => {
  it("the seeded device × manage × resource deny stops tenant-scope manage, by every path", async () => {
    const tenantManage = await block({ scopeMode: "tenant", tenantId: T }, ["manage"])
    expect(
      await err(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: D, permissionBlockId: tenantManage } }),
    ).toBe(REJECTED)
    const admins = await role(`tenant-admins-${randomUUID()}`, T, [tenantManage])
    expect(await err(ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: D, roleId: admins } })).toBe(
      REJECTED,
    )
    // the device reached only through a child of the holder group
    expect(await err(ASSIGN, { i: { tenantId: T, subjectKind: "group", subjectId: PARENT, roleId: admins } })).toBe(
      REJECTED,
    )
    // nothing was written
    const written = await rows(
      `SELECT (SELECT count(*)::int FROM direct_policies WHERE subject_id IN ($1, $2)) +
              (SELECT count(*)::int FROM role_assignments WHERE role_id = $3) AS n`,
      D,
      PARENT,
      admins,
    )
    expect(at(written, 0, "n")).toBe(0)
    // humans and services are not touched by the device rule
    await ok(ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: H, roleId: admins } })
    await ok(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: tenantManage } })
  })

  it("a platform block with write or delete is refused for a global device; read is not", async () => {
    for (const action of ["write", "delete"]) {
      const platform = await block({ scopeMode: "platform" }, ["read", action])
      expect(
        await err(POLICY, { i: { tenantId: null, subjectKind: "entity", subjectId: DG, permissionBlockId: platform } }),
      ).toBe(`guardrail rejected device receiving ${action} on resource`)
    }
    const read = await block({ scopeMode: "platform" }, ["read", "authz.check"])
    await ok(POLICY, { i: { tenantId: null, subjectKind: "entity", subjectId: DG, permissionBlockId: read } })
  })

  it("a typed rule binds a tenant-scope block of an action applicable to that type", async () => {
    await ok(`mutation($i: CreateActionAssignmentRuleInput!) { createActionAssignmentRule(input: $i) { id } }`, {
      i: {
        tenantId: T,
        entityKind: "service",
        actionName: "execute",
        objectKind: "resource",
        objectType: "resource:rule",
        decision: "deny",
      },
    })
    const tenantExecute = await block({ scopeMode: "tenant", tenantId: T }, ["execute"])
    expect(
      await err(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: tenantExecute } }),
    ).toBe("guardrail rejected service receiving execute on resource:rule")
    // …and a kind-wide resource block of the same action
    const kindExecute = await block({ scopeMode: "object_kind", tenantId: T, objectKind: "resource" }, ["execute"])
    expect(
      await err(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: S, permissionBlockId: kindExecute } }),
    ).toBe("guardrail rejected service receiving execute on resource:rule")
  })
})

describe("one guardrail expansion for every write that hands grants out (authz.md §6.3)", () => {
  it("the same tenant-scope manage block is refused alike via role link replacement and group membership", async () => {
    const tenantManage = await block({ scopeMode: "tenant", tenantId: T }, ["manage", "read"])
    const readOnly = await block({ scopeMode: "tenant", tenantId: T }, ["read"])

    // link replacement: a role already held by a group whose child holds a device
    const viaGroup = await role(`via-group-${randomUUID()}`, T, [readOnly])
    await ok(ASSIGN, { i: { tenantId: T, subjectKind: "group", subjectId: PARENT, roleId: viaGroup } })
    expect(await err(REPLACE, { r: viaGroup, b: [readOnly, tenantManage] })).toBe(REJECTED)
    const links = await ok(`query($id: ID!) { role(id: $id) { permissionBlocks { id } } }`, { id: viaGroup })
    expect(at(links, "role", "permissionBlocks")).toEqual([{ id: readOnly }])

    // group membership: the role on EMPTY's holder grants the tenant-scope block; a device may not join
    const onEmpty = await role(`on-empty-${randomUUID()}`, T, [tenantManage])
    await ok(ASSIGN, { i: { tenantId: T, subjectKind: "group", subjectId: EMPTY, roleId: onEmpty } })
    expect(await err(ADD, { g: EMPTY, e: D })).toBe(REJECTED)
    expect(at(await ok(ADD, { g: EMPTY, e: H }), "addGroupMember")).toBe(true)
    const members = await ok(`query($g: ID!) { groupMembers(groupId: $g) { id } }`, { g: EMPTY })
    expect(at(members, "groupMembers")).toEqual([{ id: H }])
  })

  it("setGroupParent judges what the child's members (and its descendants') would inherit", async () => {
    const holder = randomUUID()
    const middle = randomUUID()
    await rows(
      `INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, $4, $3), ($2, $5, $3)`,
      holder,
      middle,
      T,
      `holder-${holder}`,
      `middle-${middle}`,
    )
    const tenantManage = await block({ scopeMode: "tenant", tenantId: T }, ["manage"])
    await ok(POLICY, { i: { tenantId: T, subjectKind: "group", subjectId: holder, permissionBlockId: tenantManage } })
    // CHILD (member: a device) under MIDDLE: MIDDLE under the holder would hand the device manage
    await rows(`DELETE FROM principal_group_hierarchy WHERE child_id = $1`, CHILD)
    await ok(`mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, { id: CHILD, p: middle })
    expect(
      await err(`mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, {
        id: middle,
        p: holder,
      }),
    ).toBe(REJECTED)
    const parents = await rows(`SELECT parent_id FROM principal_group_hierarchy WHERE child_id = $1`, middle)
    expect(parents).toEqual([])
  })
})

describe("principal-group members stay inside the group's tenant (authz.md §6.17)", () => {
  it("refuses another tenant's entity and tenant-owned entities in global groups; admits tenant members", async () => {
    const T2 = randomUUID()
    const D2 = randomUUID()
    const G = randomUUID() // global human
    const GLOBAL = randomUUID() // global principal group
    await rows(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, T2, `g2-${T2}`)
    await rows(
      `INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'device', 'd2', $3), ($2, 'human', $4, NULL)`,
      D2,
      G,
      T2,
      `g-${G}`,
    )
    await rows(`INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, $2, NULL)`, GLOBAL, `global-${GLOBAL}`)
    const readers = randomUUID()
    await rows(
      `INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, $2, $3)`,
      readers,
      `readers-${readers}`,
      T,
    )
    expect(await err(ADD, { g: readers, e: D2 })).toBe(
      "principal group member must belong to the group's tenant or be an active member of it",
    )
    // a global human joins once it is an active member of the tenant
    expect(await err(ADD, { g: readers, e: G })).toBe(
      "principal group member must belong to the group's tenant or be an active member of it",
    )
    await rows(`INSERT INTO tenant_memberships (tenant_id, entity_id) VALUES ($1, $2)`, T, G)
    expect(at(await ok(ADD, { g: readers, e: G }), "addGroupMember")).toBe(true)
    expect(at(await ok(ADD, { g: readers, e: S }), "addGroupMember")).toBe(true)
    // a global group holds unbounded grants: global entities only
    expect(await err(ADD, { g: GLOBAL, e: S })).toBe("global principal group cannot contain a tenant-owned entity")
    expect(at(await ok(ADD, { g: GLOBAL, e: G }), "addGroupMember")).toBe(true)
    const members = await rows(
      `SELECT group_id, entity_id FROM principal_group_members WHERE entity_id IN ($1, $2) ORDER BY group_id`,
      D2,
      S,
    )
    expect(members).toEqual([{ groupId: readers, entityId: S }])
  })
})

describe("tenant bootstrap runs guardrails for its creator (authz.md §6.2)", () => {
  it("a device allowed to create tenants cannot become a tenant's admin; a human can", async () => {
    const PASSWORD = "a-long-test-password-1"
    const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD))))
    await rows(
      `INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)`,
      randomUUID(),
      DG,
      hash,
    )
    const creator = randomUUID()
    await rows(`INSERT INTO permission_blocks (id, scope_mode) VALUES ($1, 'platform')`, creator)
    await rows(
      `INSERT INTO permission_block_actions (permission_block_id, action_id) SELECT $1, id FROM actions WHERE name = 'create'`,
      creator,
    )
    await rows(
      `INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id) VALUES (NULL, 'entity', $1, $2)`,
      DG,
      creator,
    )
    await rows(`UPDATE authz_revision SET revision = revision + 1`)
    await t.atom.runtime.runPromise(announceLocalChange)
    const device = await loginToken(t, DG, PASSWORD)
    const name = `by-device-${randomUUID()}`
    const refused = await gql(t, device, `mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, {
      n: name,
    })
    // tenant-admin's block holds delete, manage and write on resources: the first refused is named
    expect(refused.errors?.[0]?.message).toBe("guardrail rejected device receiving delete on resource")
    expect(await rows(`SELECT id FROM tenants WHERE name = $1`, name)).toEqual([])
    // the bootstrap admin (a human) still gets its tenant
    const made = await ok(`mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, {
      n: `by-human-${randomUUID()}`,
    })
    expect(at(made, "createTenant", "id")).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe("a kind change re-judges what the entity holds (authz.md §3.4)", () => {
  const KIND = `mutation($id: ID!, $k: EntityKind!) { updateEntity(id: $id, input: { kind: $k }) { id kind } }`
  const service = async () => {
    const id = randomUUID()
    await rows(`INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'service', $2, $3)`, id, `svc-${id}`, T)
    return id
  }
  const state = async (id: string) => {
    const [row] = await rows(
      `SELECT e.kind, (SELECT revision FROM authz_revision) AS revision,
              (SELECT count(*)::int FROM audit_logs WHERE event = 'entity.update' AND target_id = $1) AS audits
       FROM entities e WHERE e.id = $1`,
      id,
    )
    return row
  }

  it("a held grant the new kind may not receive refuses the change with the guardrail's message; nothing is written", async () => {
    const [direct, viaRole, viaGroup, harmless] = [await service(), await service(), await service(), await service()]
    const tenantManage = await block({ scopeMode: "tenant", tenantId: T }, ["manage"])
    const tenantRead = await block({ scopeMode: "tenant", tenantId: T }, ["read"])
    await ok(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: direct, permissionBlockId: tenantManage } })
    const admins = await role(`kind-admins-${randomUUID()}`, T, [tenantManage])
    await ok(ASSIGN, { i: { tenantId: T, subjectKind: "entity", subjectId: viaRole, roleId: admins } })
    // held through a nested principal group: the role sits on the parent, the service is in the child
    const parent = randomUUID()
    const child = randomUUID()
    await rows(
      `INSERT INTO principal_groups (id, name, tenant_id) VALUES ($1, $3, $5), ($2, $4, $5)`,
      parent,
      child,
      `kind-parent-${parent}`,
      `kind-child-${child}`,
      T,
    )
    await ok(`mutation($id: ID!, $p: ID!) { setGroupParent(id: $id, parentId: $p) { id } }`, { id: child, p: parent })
    await ok(ASSIGN, { i: { tenantId: T, subjectKind: "group", subjectId: parent, roleId: admins } })
    expect(at(await ok(ADD, { g: child, e: viaGroup }), "addGroupMember")).toBe(true)
    await ok(POLICY, { i: { tenantId: T, subjectKind: "entity", subjectId: harmless, permissionBlockId: tenantRead } })

    for (const id of [direct, viaRole, viaGroup]) {
      const before = await state(id)
      expect(await err(KIND, { id, k: "device" })).toBe(REJECTED)
      expect(await state(id)).toEqual(before)
      expect(at(before, "kind")).toBe("service")
    }
    // read is not guarded for devices; other kinds are not touched by the device rule
    expect(at(await ok(KIND, { id: harmless, k: "device" }), "updateEntity", "kind")).toBe("device")
    expect(at(await ok(KIND, { id: direct, k: "human" }), "updateEntity", "kind")).toBe("human")
    // once the forbidden grant is gone, the same change passes
    await rows(`DELETE FROM role_assignments WHERE subject_id = $1`, viaRole)
    expect(at(await ok(KIND, { id: viaRole, k: "device" }), "updateEntity", "kind")).toBe("device")
  })
})
