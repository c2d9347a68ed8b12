import { randomUUID } from "node:crypto"
import type { Caller } from "@atom/domain/identity"
import { AuditQueue, recordChange } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

/**
 * Every catalogue and policy mutation of api.md §6.7 leaves its event, written in the change's own
 * transaction: each step runs one GraphQL mutation under its own request id, then the rows of that
 * request must hold the event with actor, tenant, target and outcome. Failed mutations leave nothing.
 */

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"

let t: TestAtom
let admin: string

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
})

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

interface GqlBody {
  readonly data: Record<string, unknown> | null
  readonly errors?: ReadonlyArray<{ readonly message: string }>
}

/** One GraphQL request by the admin under a given request id. */
const call = async (requestId: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlBody> => {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${admin}`, "x-request-id": requestId },
    body: JSON.stringify({ query, variables }),
  })
  expect(res.headers.get("x-request-id")).toBe(requestId)
  return (await res.json()) as GqlBody
}

/** The mutation's single root field, which must have succeeded. */
const ok = async (requestId: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> => {
  const body = await call(requestId, query, variables)
  expect(body.errors, `${requestId}: ${JSON.stringify(body.errors)}`).toBeUndefined()
  const values = Object.values(body.data ?? {})
  return values[0]
}

const idOf = (value: unknown): string => {
  if (typeof value === "object" && value !== null && "id" in value && typeof value.id === "string") return value.id
  throw new Error(`no id in ${JSON.stringify(value)}`)
}

interface Row {
  readonly event: string
  readonly actorId: string | null
  readonly tenantId: string | null
  readonly targetKind: string | null
  readonly targetId: string | null
  readonly outcome: string
  readonly clientIp: string | null
}

const rowsOf = (requestId: string) =>
  sql<Row>(
    `SELECT event, actor_id, tenant_id, target_kind, target_id, outcome, client_ip
       FROM audit_logs WHERE request_id = $1 ORDER BY chain_seq`,
    [requestId],
  )

/** Ids made along the way, shared by the steps. */
const s: Record<string, string> = {}
const need = (key: string): string => {
  const v = s[key]
  if (v === undefined) throw new Error(`step state ${key} missing`)
  return v
}

interface Step {
  readonly event: string
  readonly targetKind: string
  /** runs the mutation (request id given) and names the target and tenant the event must carry */
  readonly run: (rid: string) => Promise<{ readonly targetId: string; readonly tenantId: string | null }>
}

const tenantOf = () => need("tenant")

const steps: ReadonlyArray<Step> = [
  {
    event: "tenant.create",
    targetKind: "tenant",
    run: async (rid) => {
      s.tenant = idOf(await ok(rid, `mutation { createTenant(input: { name: "ae-tenant" }) { id } }`))
      return { targetId: tenantOf(), tenantId: tenantOf() }
    },
  },
  {
    event: "tenant.update",
    targetKind: "tenant",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateTenant(id: $id, input: { alias: "ae-t" }) { id } }`, { id: tenantOf() })
      return { targetId: tenantOf(), tenantId: tenantOf() }
    },
  },
  ...(["disable", "freeze", "enable"] as const).map(
    (verb): Step => ({
      event: `tenant.${verb}`,
      targetKind: "tenant",
      run: async (rid) => {
        const field = `${verb}Tenant`
        await ok(rid, `mutation($id: ID!) { ${field}(id: $id) { id } }`, { id: tenantOf() })
        return { targetId: tenantOf(), tenantId: tenantOf() }
      },
    }),
  ),
  {
    event: "entity.create",
    targetKind: "entity",
    run: async (rid) => {
      const made = await ok(
        rid,
        `mutation($t: ID) { createEntity(input: { name: "ae-human", kind: human, tenantId: $t }) { id } }`,
        { t: tenantOf() },
      )
      s.entity = idOf(made)
      s.device = idOf(
        await ok(
          `${rid}-device`,
          `mutation($t: ID) { createEntity(input: { name: "ae-device", kind: device, tenantId: $t }) { id } }`,
          {
            t: tenantOf(),
          },
        ),
      )
      return { targetId: need("entity"), tenantId: tenantOf() }
    },
  },
  {
    event: "entity.update",
    targetKind: "entity",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateEntity(id: $id, input: { name: "ae-human-2" }) { id } }`, {
        id: need("entity"),
      })
      return { targetId: need("entity"), tenantId: tenantOf() }
    },
  },
  ...(["disable", "enable"] as const).map(
    (verb): Step => ({
      event: `entity.${verb}`,
      targetKind: "entity",
      run: async (rid) => {
        await ok(rid, `mutation($id: ID!) { ${verb}Entity(id: $id) { id } }`, { id: need("entity") })
        return { targetId: need("entity"), tenantId: tenantOf() }
      },
    }),
  ),
  {
    event: "tenant_member.add",
    targetKind: "tenant",
    run: async (rid) => {
      await ok(rid, `mutation($t: ID!, $e: ID!) { addTenantMember(tenantId: $t, entityId: $e) }`, {
        t: tenantOf(),
        e: need("entity"),
      })
      return { targetId: tenantOf(), tenantId: tenantOf() }
    },
  },
  {
    event: "tenant_member.remove",
    targetKind: "tenant",
    run: async (rid) => {
      await ok(rid, `mutation($t: ID!, $e: ID!) { removeTenantMember(tenantId: $t, entityId: $e) }`, {
        t: tenantOf(),
        e: need("entity"),
      })
      return { targetId: tenantOf(), tenantId: tenantOf() }
    },
  },
  {
    event: "group.create",
    targetKind: "group",
    run: async (rid) => {
      s.principalGroup = idOf(
        await ok(rid, `mutation($t: ID) { createPrincipalGroup(input: { name: "ae-pg", tenantId: $t }) { id } }`, {
          t: tenantOf(),
        }),
      )
      return { targetId: need("principalGroup"), tenantId: tenantOf() }
    },
  },
  {
    event: "group.update",
    targetKind: "group",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateGroup(id: $id, input: { description: "d" }) { id } }`, {
        id: need("principalGroup"),
      })
      return { targetId: need("principalGroup"), tenantId: tenantOf() }
    },
  },
  ...(["disable", "suspend", "enable"] as const).map(
    (verb): Step => ({
      event: `group.${verb}`,
      targetKind: "group",
      run: async (rid) => {
        await ok(rid, `mutation($id: ID!) { ${verb}Group(id: $id) { id } }`, { id: need("principalGroup") })
        return { targetId: need("principalGroup"), tenantId: tenantOf() }
      },
    }),
  ),
  {
    event: "group_member.add",
    targetKind: "group",
    run: async (rid) => {
      await ok(rid, `mutation($g: ID!, $e: ID!) { addGroupMember(groupId: $g, entityId: $e) }`, {
        g: need("principalGroup"),
        e: need("entity"),
      })
      return { targetId: need("principalGroup"), tenantId: tenantOf() }
    },
  },
  {
    event: "group_member.remove",
    targetKind: "group",
    run: async (rid) => {
      await ok(rid, `mutation($g: ID!, $e: ID!) { removeGroupMember(groupId: $g, entityId: $e) }`, {
        g: need("principalGroup"),
        e: need("entity"),
      })
      return { targetId: need("principalGroup"), tenantId: tenantOf() }
    },
  },
  {
    event: "group.parent.set",
    targetKind: "group",
    run: async (rid) => {
      const create = `mutation($n: String!, $t: ID) { createObjectGroup(input: { name: $n, tenantId: $t }) { id } }`
      s.objectGroup = idOf(await ok(`${rid}-og1`, create, { n: "ae-og", t: tenantOf() }))
      s.childGroup = idOf(await ok(`${rid}-og2`, create, { n: "ae-og-child", t: tenantOf() }))
      await ok(
        rid,
        `mutation($c: ID!, $p: ID!) { setObjectGroupParent(objectGroupId: $c, parentGroupId: $p) { id } }`,
        {
          c: need("childGroup"),
          p: need("objectGroup"),
        },
      )
      return { targetId: need("childGroup"), tenantId: tenantOf() }
    },
  },
  {
    event: "group.parent.remove",
    targetKind: "group",
    run: async (rid) => {
      await ok(rid, `mutation($c: ID!) { removeObjectGroupParent(objectGroupId: $c) }`, { c: need("childGroup") })
      return { targetId: need("childGroup"), tenantId: tenantOf() }
    },
  },
  {
    event: "entity.parent_group.set",
    targetKind: "entity",
    run: async (rid) => {
      await ok(rid, `mutation($e: ID!, $g: ID!) { setEntityParentGroup(entityId: $e, groupId: $g) { id } }`, {
        e: need("entity"),
        g: need("objectGroup"),
      })
      return { targetId: need("entity"), tenantId: tenantOf() }
    },
  },
  {
    event: "entity.parent_group.clear",
    targetKind: "entity",
    run: async (rid) => {
      await ok(rid, `mutation($e: ID!) { clearEntityParentGroup(entityId: $e) { id } }`, { e: need("entity") })
      return { targetId: need("entity"), tenantId: tenantOf() }
    },
  },
  {
    event: "entity.ownership.add",
    targetKind: "entity",
    run: async (rid) => {
      await ok(rid, `mutation($o: ID!, $d: ID!) { addOwnership(ownerId: $o, ownedId: $d) { ownerId } }`, {
        o: need("entity"),
        d: need("device"),
      })
      return { targetId: need("device"), tenantId: tenantOf() }
    },
  },
  {
    event: "entity.ownership.remove",
    targetKind: "entity",
    run: async (rid) => {
      await ok(rid, `mutation($o: ID!, $d: ID!) { removeOwnership(ownerId: $o, ownedId: $d) }`, {
        o: need("entity"),
        d: need("device"),
      })
      return { targetId: need("device"), tenantId: tenantOf() }
    },
  },
  {
    event: "resource.create",
    targetKind: "resource",
    run: async (rid) => {
      s.resource = idOf(
        await ok(
          rid,
          `mutation($t: ID) { createResource(input: { kind: "doc", name: "ae-doc", tenantId: $t }) { id } }`,
          {
            t: tenantOf(),
          },
        ),
      )
      return { targetId: need("resource"), tenantId: tenantOf() }
    },
  },
  {
    event: "resource.update",
    targetKind: "resource",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateResource(id: $id, input: { name: "ae-doc-2" }) { id } }`, {
        id: need("resource"),
      })
      return { targetId: need("resource"), tenantId: tenantOf() }
    },
  },
  {
    event: "resource.parent_group.set",
    targetKind: "resource",
    run: async (rid) => {
      await ok(rid, `mutation($r: ID!, $g: ID!) { setResourceParentGroup(resourceId: $r, groupId: $g) { id } }`, {
        r: need("resource"),
        g: need("objectGroup"),
      })
      return { targetId: need("resource"), tenantId: tenantOf() }
    },
  },
  {
    event: "resource.parent_group.clear",
    targetKind: "resource",
    run: async (rid) => {
      await ok(rid, `mutation($r: ID!) { clearResourceParentGroup(resourceId: $r) { id } }`, { r: need("resource") })
      return { targetId: need("resource"), tenantId: tenantOf() }
    },
  },
  {
    event: "profile.create",
    targetKind: "profile",
    run: async (rid) => {
      s.profile = idOf(
        await ok(
          rid,
          `mutation($t: ID) { createProfile(input: { tenantId: $t, objectKind: "entity", kind: "device",
            key: "ae-sensor", displayName: "AE sensor" }) { id } }`,
          { t: tenantOf() },
        ),
      )
      return { targetId: need("profile"), tenantId: tenantOf() }
    },
  },
  {
    event: "profile.update",
    targetKind: "profile",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateProfile(id: $id, input: { displayName: "AE sensor 2" }) { id } }`, {
        id: need("profile"),
      })
      return { targetId: need("profile"), tenantId: tenantOf() }
    },
  },
  {
    event: "profile_version.create",
    targetKind: "profile_version",
    run: async (rid) => {
      const version = await ok(
        rid,
        `mutation($p: ID!) { createProfileVersion(profileId: $p, input: { version: 1, jsonSchema: { type: "object" } }) { id } }`,
        { p: need("profile") },
      )
      return { targetId: idOf(version), tenantId: tenantOf() }
    },
  },
  {
    event: "action.create",
    targetKind: "action",
    run: async (rid) => {
      s.action = idOf(
        await ok(
          rid,
          `mutation { createAction(input: { name: "ae.op", applicability: [{ objectKind: "resource" }] }) { id } }`,
        ),
      )
      return { targetId: need("action"), tenantId: null }
    },
  },
  {
    event: "action.update",
    targetKind: "action",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateAction(id: $id, input: { description: "ae" }) { id } }`, {
        id: need("action"),
      })
      return { targetId: need("action"), tenantId: null }
    },
  },
  {
    event: "action_applicability.add",
    targetKind: "action",
    run: async (rid) => {
      await ok(
        rid,
        `mutation($a: ID!) { addActionApplicability(input: { actionId: $a, objectKind: "entity" }) { objectKind } }`,
        { a: need("action") },
      )
      return { targetId: need("action"), tenantId: null }
    },
  },
  {
    event: "action_applicability.remove",
    targetKind: "action",
    run: async (rid) => {
      await ok(rid, `mutation($a: ID!) { removeActionApplicability(input: { actionId: $a, objectKind: "entity" }) }`, {
        a: need("action"),
      })
      return { targetId: need("action"), tenantId: null }
    },
  },
  {
    event: "role.create",
    targetKind: "role",
    run: async (rid) => {
      s.role = idOf(
        await ok(rid, `mutation($t: ID) { createRole(input: { name: "ae-role", tenantId: $t }) { id } }`, {
          t: tenantOf(),
        }),
      )
      return { targetId: need("role"), tenantId: tenantOf() }
    },
  },
  {
    event: "role.update",
    targetKind: "role",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { updateRole(id: $id, input: { description: "ae" }) { id } }`, {
        id: need("role"),
      })
      return { targetId: need("role"), tenantId: tenantOf() }
    },
  },
  {
    event: "permission_block.create",
    targetKind: "permission_block",
    run: async (rid) => {
      const block = `mutation($t: ID, $a: [ID!]!) { createPermissionBlock(input: { tenantId: $t, scopeMode: "tenant",
        actionIds: $a }) { id } }`
      const actions = await ok(`${rid}-actions`, `{ actions(limit: 200) { items { id name } } }`)
      const items =
        typeof actions === "object" && actions !== null && "items" in actions && Array.isArray(actions.items)
          ? actions.items
          : []
      const read = items.find((a: { name?: unknown }) => a.name === "read")
      s.read = idOf(read)
      s.block = idOf(await ok(rid, block, { t: tenantOf(), a: [need("read")] }))
      s.policyBlock = idOf(await ok(`${rid}-2`, block, { t: tenantOf(), a: [need("read")] }))
      s.spareBlock = idOf(await ok(`${rid}-3`, block, { t: tenantOf(), a: [need("read")] }))
      return { targetId: need("block"), tenantId: tenantOf() }
    },
  },
  {
    event: "permission_block.delete",
    targetKind: "permission_block",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, { id: need("spareBlock") })
      return { targetId: need("spareBlock"), tenantId: tenantOf() }
    },
  },
  {
    event: "role.permission_blocks.replace",
    targetKind: "role",
    run: async (rid) => {
      await ok(
        rid,
        `mutation($r: ID!, $b: [ID!]!) { replaceRolePermissionBlocks(roleId: $r, permissionBlockIds: $b) }`,
        {
          r: need("role"),
          b: [need("block")],
        },
      )
      return { targetId: need("role"), tenantId: tenantOf() }
    },
  },
  {
    event: "role_assignment.create",
    targetKind: "role_assignment",
    run: async (rid) => {
      s.assignment = idOf(
        await ok(
          rid,
          `mutation($t: ID, $e: ID!, $r: ID!) { createRoleAssignment(input: { tenantId: $t, subjectKind: entity,
            subjectId: $e, roleId: $r }) { id } }`,
          { t: tenantOf(), e: need("entity"), r: need("role") },
        ),
      )
      return { targetId: need("assignment"), tenantId: tenantOf() }
    },
  },
  {
    event: "role_assignment.delete",
    targetKind: "role_assignment",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { deleteRoleAssignment(id: $id) }`, { id: need("assignment") })
      return { targetId: need("assignment"), tenantId: tenantOf() }
    },
  },
  {
    event: "direct_policy.create",
    targetKind: "direct_policy",
    run: async (rid) => {
      s.policy = idOf(
        await ok(
          rid,
          `mutation($t: ID, $e: ID!, $b: ID!) { createDirectPolicy(input: { tenantId: $t, subjectKind: entity,
            subjectId: $e, permissionBlockId: $b }) { id } }`,
          { t: tenantOf(), e: need("entity"), b: need("policyBlock") },
        ),
      )
      return { targetId: need("policy"), tenantId: tenantOf() }
    },
  },
  {
    event: "direct_policy.delete",
    targetKind: "direct_policy",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { deleteDirectPolicy(id: $id) }`, { id: need("policy") })
      return { targetId: need("policy"), tenantId: tenantOf() }
    },
  },
  {
    event: "action_assignment_rule.create",
    targetKind: "action_assignment_rule",
    run: async (rid) => {
      s.rule = idOf(
        await ok(
          rid,
          `mutation($t: ID) { createActionAssignmentRule(input: { tenantId: $t, entityKind: device, actionName: "ae.op",
            objectKind: "resource", decision: deny }) { id } }`,
          { t: tenantOf() },
        ),
      )
      return { targetId: need("rule"), tenantId: tenantOf() }
    },
  },
  {
    event: "action_assignment_rule.delete",
    targetKind: "action_assignment_rule",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { deleteActionAssignmentRule(id: $id) }`, { id: need("rule") })
      return { targetId: need("rule"), tenantId: tenantOf() }
    },
  },
  ...(["delete", "restore", "purge"] as const).flatMap((verb): ReadonlyArray<Step> => {
    // purge needs a tombstone: the purge step deletes again first (under its own request id)
    const pre = (field: string, key: string) => async (rid: string) => {
      if (verb === "purge") await ok(`${rid}-pre`, `mutation($id: ID!) { delete${field}(id: $id) }`, { id: need(key) })
    }
    const result = (field: string) => (verb === "restore" && field === "Tenant" ? " { id }" : "")
    return [
      ["role", "Role", "role"],
      ["entity", "Entity", "device"],
      ["group", "Group", "childGroup"],
      ["resource", "Resource", "resource"],
    ].map(
      ([kind = "", field = "", key = ""]): Step => ({
        event: `${kind}.${verb}`,
        targetKind: kind,
        run: async (rid) => {
          await pre(field, key)(rid)
          await ok(rid, `mutation($id: ID!) { ${verb}${field}(id: $id)${result(field)} }`, { id: need(key) })
          return { targetId: need(key), tenantId: tenantOf() }
        },
      }),
    )
  }),
  {
    event: "action.delete",
    targetKind: "action",
    run: async (rid) => {
      await ok(rid, `mutation($id: ID!) { deleteAction(id: $id) }`, { id: need("action") })
      return { targetId: need("action"), tenantId: null }
    },
  },
  ...(["delete", "restore", "purge"] as const).map(
    (verb): Step => ({
      event: `tenant.${verb}`,
      targetKind: "tenant",
      run: async (rid) => {
        if (verb === "delete") {
          s.doomed = idOf(await ok(`${rid}-pre`, `mutation { createTenant(input: { name: "ae-doomed" }) { id } }`))
        }
        if (verb === "purge") {
          await ok(`${rid}-pre`, `mutation($id: ID!) { deleteTenant(id: $id) }`, { id: need("doomed") })
        }
        const selection = verb === "restore" ? " { id }" : ""
        await ok(rid, `mutation($id: ID!) { ${verb}Tenant(id: $id)${selection} }`, { id: need("doomed") })
        return { targetId: need("doomed"), tenantId: need("doomed") }
      },
    }),
  ),
]

describe("audit events of catalogue and policy mutations (api.md §6.7)", () => {
  it.each(steps.map((step, i) => [step.event, i] as const))(
    "%s is recorded with actor, tenant, target and outcome",
    async (event, i) => {
      const step = steps[i]
      if (step === undefined) throw new Error(`no step ${i}`)
      const rid = `ae-${i}-${event}`
      const { targetId, tenantId } = await step.run(rid)
      const rows = await rowsOf(rid)
      expect(rows).toContainEqual({
        event,
        actorId: ADMIN_ID,
        tenantId,
        targetKind: step.targetKind,
        targetId,
        outcome: "allow",
        clientIp: "127.0.0.1",
      })
      // one mutation, one event
      expect(rows.filter((r) => r.event === event)).toHaveLength(1)
    },
  )

  it("records each authzBulkCheck decision through the queue", async () => {
    const rid = "ae-bulk-check"
    const body = await call(
      rid,
      `mutation($e: ID!, $r: ID!) { authzBulkCheck(input: [
          { subjectId: $e, action: "ae.bulk-none", resourceId: $r },
          { subjectId: $e, action: "ae.bulk-other", objectKind: "entity", objectId: $e }]) { allowed } }`,
      { e: need("entity"), r: randomUUID() },
    )
    const answers = body.data?.authzBulkCheck
    // the mutation/query shape is the contract's; either way each question is answered
    expect(body.errors).toBeUndefined()
    expect(Array.isArray(answers) ? answers.length : 0).toBe(2)
    await t.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush()))
    const rows = await sql<{ event: string; outcome: string; details: string }>(
      "SELECT event, outcome, details::text AS details FROM audit_logs WHERE request_id = $1 ORDER BY details::text",
      [rid],
    )
    expect(rows.map((r) => [r.event, r.outcome])).toEqual([
      ["authz.check", "deny"],
      ["authz.check", "deny"],
    ])
    expect(rows.map((r) => JSON.parse(r.details).action).sort()).toEqual(["ae.bulk-none", "ae.bulk-other"])
    expect(rows.every((r) => JSON.parse(r.details).dialect === "graphql_bulk")).toBe(true)
  })
})

describe("audit events of credential changes (api.md §6.7)", () => {
  it("records credential.create, update, reveal and revoke in the change's transaction, without the secret", async () => {
    const tenant = idOf(await ok("cred-t", `mutation { createTenant(input: { name: "ae-cred-tenant" }) { id } }`))
    const human = idOf(
      await ok(
        "cred-h",
        `mutation($t: ID) { createEntity(input: { name: "ae-cred-human", kind: human, tenantId: $t }) { id } }`,
        {
          t: tenant,
        },
      ),
    )
    const device = idOf(
      await ok(
        "cred-d",
        `mutation($t: ID) { createEntity(input: { name: "ae-cred-device", kind: device, tenantId: $t }) { id } }`,
        {
          t: tenant,
        },
      ),
    )
    const password = `pw-${randomUUID()}`
    const sharedSecret = `sk-${randomUUID()}-${randomUUID()}`
    const secrets: Array<string> = [password, sharedSecret]

    await ok("cred-password", `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`, {
      e: human,
      p: password,
    })
    const shared = await ok(
      "cred-shared",
      `mutation($e: ID!, $k: String) { createSharedKey(entityId: $e, input: { key: $k }) { credentialId key } }`,
      { e: device, k: sharedSecret },
    )
    const sharedId = String(Reflect.get(Object(shared), "credentialId"))
    await ok("cred-reveal", `mutation($e: ID!, $c: ID!) { revealSharedKey(entityId: $e, credentialId: $c) { key } }`, {
      e: device,
      c: sharedId,
    })
    const permissions = [{ actions: ["read"], scopeMode: "tenant", tenantId: tenant }]
    const minted = await ok(
      "cred-token",
      `mutation($s: ID, $p: [AccessTokenPermissionInput!]!) {
        createAccessToken(input: { name: "ae-token", subjectId: $s, scoped: true, permissions: $p }) { credentialId token } }`,
      { s: device, p: permissions },
    )
    const tokenId = String(Reflect.get(Object(minted), "credentialId"))
    secrets.push(String(Reflect.get(Object(minted), "token")))
    await ok(
      "cred-update",
      `mutation($c: ID!, $p: [AccessTokenPermissionInput!]!) { replaceAccessTokenPermissions(credentialId: $c, permissions: $p) }`,
      { c: tokenId, p: [{ actions: ["read", "write"], scopeMode: "tenant", tenantId: tenant }] },
    )
    await ok("cred-revoke", `mutation($e: ID!, $c: ID!) { revokeCredential(entityId: $e, credentialId: $c) }`, {
      e: device,
      c: sharedId,
    })

    const expected: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
      ["cred-password", "credential.create", [human]],
      ["cred-shared", "credential.create", [device, sharedId]],
      ["cred-reveal", "credential.reveal", [device, sharedId]],
      ["cred-token", "credential.create", [device, tokenId]],
      ["cred-update", "credential.update", [device, tokenId]],
      ["cred-revoke", "credential.revoke", [device, sharedId]],
    ]
    for (const [rid, event, targets] of expected) {
      const rows = (await rowsOf(rid)).filter((r) => r.event === event)
      expect(rows, `${rid}: ${event}`).toHaveLength(1)
      expect(rows[0]).toMatchObject({ actorId: ADMIN_ID, tenantId: tenant, outcome: "allow" })
      // the target is the credential, or its entity
      const [owner] = await sql<{ entityId: string }>("SELECT entity_id FROM credentials WHERE id = $1", [
        rows[0]?.targetId,
      ])
      expect([rows[0]?.targetId, owner?.entityId].some((id) => typeof id === "string" && targets.includes(id))).toBe(
        true,
      )
    }
    const details = await sql<{ d: string }>("SELECT details::text AS d FROM audit_logs WHERE request_id LIKE 'cred-%'")
    expect(details.length).toBeGreaterThanOrEqual(expected.length)
    for (const { d } of details) for (const secret of secrets) expect(d).not.toContain(secret)
  })
})

describe("failed mutations leave no record", () => {
  it("a mutation refused inside its transaction writes no event", async () => {
    const before = await sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_logs")
    // a block still linked to a role cannot be deleted (checked under the row lock, inside the transaction)
    const linked = await call("ae-fail-1", `mutation($id: ID!) { deletePermissionBlock(id: $id) }`, {
      id: need("policyBlock"),
    })
    expect(linked.errors?.[0]?.message).toBeDefined()
    // a role assignment in another tenant than its role's (checked inside the transaction)
    const other = idOf(await ok("ae-fail-tenant", `mutation { createTenant(input: { name: "ae-other" }) { id } }`))
    const role = idOf(
      await ok("ae-fail-role", `mutation($t: ID) { createRole(input: { name: "ae-role-2", tenantId: $t }) { id } }`, {
        t: tenantOf(),
      }),
    )
    const mismatch = await call(
      "ae-fail-2",
      `mutation($t: ID, $e: ID!, $r: ID!) { createRoleAssignment(input: { tenantId: $t, subjectKind: entity,
        subjectId: $e, roleId: $r }) { id } }`,
      { t: other, e: need("entity"), r: role },
    )
    expect(mismatch.errors?.[0]?.message).toBeDefined()
    const duplicate = await call("ae-fail-3", `mutation { createAction(input: { name: "read" }) { id } }`)
    expect(duplicate.errors?.[0]?.message).toBe("already exists")
    for (const rid of ["ae-fail-1", "ae-fail-2", "ae-fail-3"]) expect(await rowsOf(rid)).toEqual([])
    const after = await sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_logs")
    // only the two setup mutations (tenant, role) were recorded
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 2)
  })

  it("an event recorded in a transaction that then rolls back is gone with it", async () => {
    const caller: Caller = {
      entityId: ADMIN_ID,
      tenantId: null,
      sessionId: null,
      credentialId: null,
      tokenKind: "jwt",
      scoped: false,
      expiresAt: null,
    }
    const marker = randomUUID()
    const exit = await t.atom.runtime.runPromiseExit(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.withTransaction(
          Effect.zipRight(
            recordChange(caller, "tenant.update", { kind: "tenant", id: marker, tenantId: marker }),
            Effect.fail("boom" as const),
          ),
        ),
      ),
    )
    expect(exit._tag).toBe("Failure")
    expect(await sql("SELECT id FROM audit_logs WHERE target_id = $1", [marker])).toEqual([])
  })
})
