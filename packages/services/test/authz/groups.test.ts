import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AuthzRuntime, startAuthzRuntime } from "./support/authzRuntime.js"
import { check, entityTarget, groupTarget, reason, resourceTarget } from "./support/checks.js"
import {
  addMember,
  change,
  entity,
  entityRef,
  grant,
  grantRole,
  groupRef,
  objectGroup,
  placeEntity,
  placeResource,
  principalGroup,
  resource,
  tenant,
} from "./support/seed.js"

// Principal group nesting (who) and object group scopes (where), authz.md §2.4, §2.6, §5.12–14, 63–64.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

describe("principal groups", () => {
  it("12/13: a member of a child inherits the ancestors' roles; disabling an ancestor cuts the chain", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const p = yield* principalGroup(t)
        const c = yield* principalGroup(t, p)
        const u = yield* entity("human", { tenantId: t })
        yield* addMember(c, u)
        yield* grantRole(groupRef(p), t, [{ tenantId: t, scopeMode: "tenant", actions: ["manage"] }])
        const r1 = yield* resource("channel", { tenantId: t })
        const allowed = yield* check(u, "manage", resourceTarget(r1), undefined, { explain: true })
        expect(allowed.decision.reason).toBe("allowed")
        expect(allowed.decision.decidingGrant?.via).toBe(`group:${p} -> ${c}`)

        yield* change((sql) => sql`UPDATE principal_groups SET status = 'inactive' WHERE id = ${p}`)
        expect(yield* reason(u, "manage", resourceTarget(r1))).toBe("no matching allow policy")
      }),
    )
  })

  it("nesting four levels deep, through diamonds, and across a tombstoned link", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const g1 = yield* principalGroup(t)
        const g2 = yield* principalGroup(t, g1)
        const g3 = yield* principalGroup(t, g2)
        const g4 = yield* principalGroup(t, g3)
        const u = yield* entity("service", { tenantId: t })
        yield* addMember(g4, u)
        yield* addMember(g2, u)
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(groupRef(g1), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        const answer = yield* check(u, "read", resourceTarget(c), undefined, { explain: true })
        expect(answer.decision.reason).toBe("allowed")
        // both chains reach g1; the shorter one is reported first
        const vias = answer.decision.evaluated.map((e) => e.grant.via)
        expect(vias).toContain(`group:${g1} -> ${g2}`)
        expect(vias).toContain(`group:${g1} -> ${g2} -> ${g3} -> ${g4}`)
        expect(answer.decision.decidingGrant?.via).toBe(`group:${g1} -> ${g2}`)

        // tombstoning g3 breaks only the long chain; the direct membership in g2 still reaches g1
        yield* change((sql) => sql`UPDATE principal_groups SET deleted_at = now() WHERE id = ${g3}`)
        expect(yield* reason(u, "read", resourceTarget(c))).toBe("allowed")
        yield* change((sql) => sql`DELETE FROM principal_group_members WHERE group_id = ${g2} AND entity_id = ${u}`)
        expect(yield* reason(u, "read", resourceTarget(c))).toBe("no matching allow policy")
      }),
    )
  })

  it("14: a deny on an ancestor group wins over the member's role", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const p = yield* principalGroup(t)
        const c = yield* principalGroup(t, p)
        const u = yield* entity("human", { tenantId: t })
        yield* addMember(c, u)
        yield* grantRole(entityRef(u), t, [
          {
            tenantId: t,
            scopeMode: "object_type",
            objectKind: "resource",
            objectType: "resource:channel",
            actions: ["read"],
          },
        ])
        const k = yield* resource("channel", { tenantId: t })
        const other = yield* resource("channel", { tenantId: t })
        yield* grant(groupRef(p), { tenantId: t, scopeMode: "object", objectId: k, effect: "deny", actions: ["read"] })
        expect(yield* reason(u, "read", resourceTarget(k))).toBe("explicitly denied by direct policy")
        expect(yield* reason(u, "read", resourceTarget(other))).toBe("allowed")
      }),
    )
  })

  it("a hierarchy cycle written behind the service's back ends the walk instead of looping", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const a = yield* principalGroup(t)
        const b = yield* principalGroup(t, a)
        yield* change(
          (sql) =>
            sql`INSERT INTO principal_group_hierarchy (child_id, parent_id, tenant_id) VALUES (${a}, ${b}, ${t})`,
        )
        const u = yield* entity("service", { tenantId: t })
        yield* addMember(b, u)
        yield* grant(groupRef(a), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        const c = yield* resource("channel", { tenantId: t })
        expect(yield* reason(u, "read", resourceTarget(c))).toBe("allowed")
      }),
    )
  })
})

describe("object groups", () => {
  it("63: group_direct_objects and group_descendant_objects", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const op = yield* objectGroup(t)
        const oc = yield* objectGroup(t, op)
        const ocd = yield* objectGroup(t, oc)
        const dp = yield* entity("device", { tenantId: t })
        const dc = yield* entity("device", { tenantId: t })
        const dd = yield* entity("device", { tenantId: t })
        const sc = yield* entity("service", { tenantId: t })
        yield* placeEntity(dp, op, t)
        yield* placeEntity(dc, oc, t)
        yield* placeEntity(dd, ocd, t)
        yield* placeEntity(sc, oc, t)
        const scope = { objectKind: "entity", objectType: "entity:device", groupId: op } as const
        const ud = yield* entity("human", { tenantId: t })
        const ut = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(ud), { tenantId: t, scopeMode: "group_direct_objects", ...scope, actions: ["read"] })
        yield* grant(entityRef(ut), { tenantId: t, scopeMode: "group_descendant_objects", ...scope, actions: ["read"] })
        expect(yield* reason(ud, "read", entityTarget(dp))).toBe("allowed")
        expect(yield* reason(ud, "read", entityTarget(dc))).toBe("no matching allow policy")
        expect(yield* reason(ut, "read", entityTarget(dp))).toBe("no matching allow policy")
        expect(yield* reason(ut, "read", entityTarget(dc))).toBe("allowed")
        expect(yield* reason(ut, "read", entityTarget(dd))).toBe("allowed")
        expect(yield* reason(ut, "read", entityTarget(sc))).toBe("no matching allow policy")

        // moving an object out of the group is a decision-changing write
        yield* change((sql) => sql`DELETE FROM object_group_entities WHERE entity_id = ${dd}`)
        expect(yield* reason(ut, "read", entityTarget(dd))).toBe("no matching allow policy")
      }),
    )
  })

  it("resources in object groups, and ABAC sees the containers", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const op = yield* objectGroup(t)
        const oc = yield* objectGroup(t, op)
        const r = yield* resource("channel", { tenantId: t })
        yield* placeResource(r, oc, t)
        const u = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(u), {
          tenantId: t,
          scopeMode: "tenant",
          conditions: { "object.parent_group_id": oc, "object.ancestor_group_ids": { contains: op } },
          actions: ["read"],
        })
        expect(yield* reason(u, "read", resourceTarget(r))).toBe("allowed")
      }),
    )
  })

  it("64: group_child_groups, group_descendant_groups and scope_mode group", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const p = yield* objectGroup(t)
        const a = yield* objectGroup(t, p)
        const aa = yield* objectGroup(t, a)
        const children = yield* entity("human", { tenantId: t })
        const descendants = yield* entity("human", { tenantId: t })
        const itself = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(children), {
          tenantId: t,
          scopeMode: "group_child_groups",
          groupId: p,
          actions: ["read"],
        })
        yield* grant(entityRef(descendants), {
          tenantId: t,
          scopeMode: "group_descendant_groups",
          groupId: p,
          actions: ["read"],
        })
        yield* grant(entityRef(itself), { tenantId: t, scopeMode: "group", groupId: p, actions: ["read"] })
        expect(yield* reason(children, "read", groupTarget(a))).toBe("allowed")
        expect(yield* reason(children, "read", groupTarget(aa))).toBe("no matching allow policy")
        expect(yield* reason(children, "read", groupTarget(p))).toBe("no matching allow policy")
        expect(yield* reason(descendants, "read", groupTarget(a))).toBe("allowed")
        expect(yield* reason(descendants, "read", groupTarget(aa))).toBe("allowed")
        expect(yield* reason(descendants, "read", groupTarget(p))).toBe("no matching allow policy")
        // §6.1 fixed: scope_mode group matches the group itself and nothing else
        expect(yield* reason(itself, "read", groupTarget(p))).toBe("allowed")
        expect(yield* reason(itself, "read", groupTarget(a))).toBe("no matching allow policy")
      }),
    )
  })

  it("principal groups resolve as `group` objects; disabled groups are not found", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const parent = yield* principalGroup(t)
        const child = yield* principalGroup(t, parent)
        const answer = yield* check("00000000-0000-0000-0000-000000000001", "read", groupTarget(child), undefined, {
          explain: true,
        })
        expect(answer.decision.reason).toBe("allowed")
        expect(answer.object?.object.parentGroupId).toBe(parent)
        expect(answer.object?.groupType).toBe("principal")
        yield* change((sql) => sql`UPDATE principal_groups SET status = 'inactive' WHERE id = ${child}`)
        expect(yield* reason("00000000-0000-0000-0000-000000000001", "read", groupTarget(child))).toBe(
          "group not found",
        )
      }),
    )
  })
})
