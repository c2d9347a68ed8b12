import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AuthzInspection } from "../../src/authz/index.js"
import { type AuthzRuntime, startAuthzRuntime } from "./support/authzRuntime.js"
import {
  ADMIN,
  addMember,
  assignRole,
  block,
  callerOf,
  entity,
  entityRef,
  grant,
  grantRole,
  groupRef,
  membership,
  principalGroup,
  resource,
  role,
  tenant,
} from "./support/seed.js"

// The operator questions (DESIGN.md §7, authz.md §4 "Documented but absent"): entity access, resource
// access, role holders, group access, effective actions.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const admin = callerOf(ADMIN)

describe("AuthzInspection", () => {
  it("entityAccess lists the effective grants with via, role and block; a tenant filter keeps what can apply there", async () => {
    await rt.run(
      Effect.gen(function* () {
        const inspect = yield* AuthzInspection
        const t1 = yield* tenant()
        const t2 = yield* tenant()
        const u = yield* entity("human")
        const p = yield* principalGroup(t1)
        yield* addMember(p, u)
        const roleId = yield* grantRole(groupRef(p), t1, [
          { tenantId: t1, scopeMode: "tenant", actions: ["read", "write"] },
        ])
        yield* grant(entityRef(u), { tenantId: t2, scopeMode: "tenant", actions: ["read"] })
        const all = yield* inspect.entityAccess(admin, { entityId: u })
        expect(all.total).toBe(3)
        expect(all.items[0]?.via).toBe("direct")
        const inT1 = yield* inspect.entityAccess(admin, { entityId: u, tenantId: t1 })
        expect(inT1.items.map((g) => [g.via, g.roleId, g.action])).toEqual([
          [`group:${p}`, roleId, "read"],
          [`group:${p}`, roleId, "write"],
        ])
        const page = yield* inspect.entityAccess(admin, { entityId: u, limit: 1, offset: 1 })
        expect(page).toMatchObject({ total: 3 })
        expect(page.items).toHaveLength(1)
        // policy read at the tenant (or platform) is needed
        const outsider = yield* entity("human", { tenantId: t1 })
        expect(
          (yield* Effect.flip(
            inspect.entityAccess(callerOf(outsider, { tenantId: t1 }), { entityId: u, tenantId: t1 }),
          )).message,
        ).toBe("forbidden")
        yield* grant(entityRef(outsider), { tenantId: t1, scopeMode: "tenant", actions: ["policy.manage"] })
        expect(
          (yield* inspect.entityAccess(callerOf(outsider, { tenantId: t1 }), { entityId: u, tenantId: t1 })).total,
        ).toBe(2)
        expect((yield* Effect.flip(inspect.entityAccess(admin, { entityId: "x" }))).message).toBe(
          "entityId must be a UUID",
        )
      }),
    )
  })

  it("resourceAccess names who may act on an object and through which grant, denies excluded", async () => {
    await rt.run(
      Effect.gen(function* () {
        const inspect = yield* AuthzInspection
        const t = yield* tenant()
        const c = yield* resource("channel", { tenantId: t })
        const direct = yield* entity("service", { tenantId: t, name: "a-direct" })
        const viaGroup = yield* entity("human", { tenantId: t, name: "b-grouped" })
        const denied = yield* entity("human", { tenantId: t, name: "c-denied" })
        const member = yield* entity("human", { name: "d-member" })
        yield* membership(t, member)
        const parent = yield* principalGroup(t)
        const child = yield* principalGroup(t, parent)
        yield* addMember(child, viaGroup)
        yield* addMember(child, denied)
        yield* grant(entityRef(direct), { tenantId: t, scopeMode: "object", objectId: c, actions: ["publish"] })
        yield* grantRole(groupRef(parent), t, [
          {
            tenantId: t,
            scopeMode: "object_type",
            objectKind: "resource",
            objectType: "resource:channel",
            actions: ["read"],
          },
        ])
        yield* grant(entityRef(denied), {
          tenantId: t,
          scopeMode: "object",
          objectId: c,
          effect: "deny",
          actions: ["read"],
        })
        const access = yield* inspect.resourceAccess(admin, { objectKind: "resource", objectId: c })
        // the seeded platform principals (admin, example-service) hold platform grants: leave them out
        const mine = new Set<string>([direct, viaGroup, denied, member])
        const rows = access.items
          .filter((i) => mine.has(i.subject.subject.id))
          .map((i) => [i.subject.name, i.action, i.grant.via])
        expect(rows).toEqual([
          ["a-direct", "publish", "direct"],
          ["b-grouped", "read", `group:${parent} -> ${child}`],
        ])
        const reads = yield* inspect.resourceAccess(admin, { objectKind: "resource", objectId: c, action: "read" })
        expect(reads.items.map((i) => i.subject.name)).toContain("b-grouped")
        expect(reads.items.map((i) => i.subject.name)).not.toContain("a-direct")
        // a tenant's active human members may read it
        const tenantAccess = yield* inspect.resourceAccess(admin, { objectKind: "tenant", objectId: t, action: "read" })
        expect(tenantAccess.items.map((i) => [i.subject.name, i.grant.via])).toContainEqual([
          "d-member",
          "tenant_membership",
        ])
        expect((yield* Effect.flip(inspect.resourceAccess(admin, { objectKind: "role", objectId: c }))).message).toBe(
          "unsupported object_kind 'role' (supported: platform, resource, tenant, entity, group, credential)",
        )
      }),
    )
  })

  it("roleHolders lists live entity and group holders with member counts", async () => {
    await rt.run(
      Effect.gen(function* () {
        const inspect = yield* AuthzInspection
        const t = yield* tenant()
        const b = yield* block({ tenantId: t, scopeMode: "tenant", actions: ["read"] })
        const roleId = yield* role(t, [b])
        const e = yield* entity("service", { tenantId: t, name: "holder" })
        const g = yield* principalGroup(t)
        yield* addMember(g, yield* entity("human", { tenantId: t }))
        yield* addMember(g, yield* entity("human", { tenantId: t }))
        yield* assignRole(roleId, entityRef(e), t)
        yield* assignRole(roleId, groupRef(g), t)
        const holders = yield* inspect.roleHolders(admin, { roleId })
        expect(holders.total).toBe(2)
        expect(holders.items.map((h) => [h.subjectKind, h.memberCount])).toEqual([
          ["entity", null],
          ["group", 2],
        ])
        expect(holders.items[0]?.subjectName).toBe("holder")
        const missing = "7a0c3f70-1a5e-4c7e-9f55-0d6a1f8f4e21"
        expect((yield* Effect.flip(inspect.roleHolders(admin, { roleId: missing }))).message).toBe("role not found")
      }),
    )
  })

  it("groupAccess shows what a member inherits: the group's and its ancestors' grants", async () => {
    await rt.run(
      Effect.gen(function* () {
        const inspect = yield* AuthzInspection
        const t = yield* tenant()
        const parent = yield* principalGroup(t)
        const child = yield* principalGroup(t, parent)
        yield* grant(groupRef(child), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        yield* grantRole(groupRef(parent), t, [{ tenantId: t, scopeMode: "tenant", actions: ["write"] }])
        const access = yield* inspect.groupAccess(admin, { groupId: child })
        expect(access.group.id).toBe(child)
        expect(access.items.map((g) => [g.via, g.action])).toEqual([
          [`group:${child}`, "read"],
          [`group:${parent} -> ${child}`, "write"],
        ])
        const missing = "7a0c3f70-1a5e-4c7e-9f55-0d6a1f8f4e22"
        expect((yield* Effect.flip(inspect.groupAccess(admin, { groupId: missing }))).message).toBe("group not found")
      }),
    )
  })

  it("effectiveActions decides every applicable action for the subject, like authzCheck", async () => {
    await rt.run(
      Effect.gen(function* () {
        const inspect = yield* AuthzInspection
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, scopeMode: "tenant", actions: ["read", "publish", "manage"] })
        yield* grant(entityRef(s), {
          tenantId: t,
          scopeMode: "object",
          objectId: c,
          effect: "deny",
          actions: ["manage"],
        })
        const result = yield* inspect.effectiveActions(callerOf(s, { tenantId: t }), {
          subjectId: s,
          objectKind: "resource",
          objectId: c,
        })
        const allowed = result.items.filter((a) => a.allowed).map((a) => a.action)
        expect(allowed).toEqual(["publish", "read"])
        const manage = result.items.find((a) => a.action === "manage")
        expect(manage?.reason).toBe("explicitly denied by direct policy")
        // execute is rule-only, so it is not even listed for a channel
        expect(result.items.map((a) => a.action)).not.toContain("execute")
        expect(result.total).toBe(result.items.length)
        // about another subject: gated like authzCheck
        const other = yield* entity("service", { tenantId: t })
        expect(
          (yield* Effect.flip(
            inspect.effectiveActions(callerOf(other, { tenantId: t }), {
              subjectId: s,
              objectKind: "resource",
              objectId: c,
            }),
          )).message,
        ).toBe("forbidden")
      }),
    )
  })
})
