import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AuthzRuntime, startAuthzRuntime } from "./support/authzRuntime.js"
import { check, entityTarget, reason, resourceTarget, tenantTarget } from "./support/checks.js"
import {
  ADMIN,
  assignRole,
  block,
  change,
  directPolicy,
  entity,
  entityRef,
  grant,
  grantRole,
  membership,
  resource,
  role,
  tenant,
} from "./support/seed.js"

// authz.md §5: the runtime-check scenarios, on a real database through the Pdp.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const channelType = { scopeMode: "object_type", objectKind: "resource", objectType: "resource:channel" } as const

describe("runtime checks (authz.md §5)", () => {
  it("1: the admin reads a global channel by resourceId", async () => {
    const r = await rt.run(resource("channel"))
    expect(await rt.run(reason(ADMIN, "read", resourceTarget(r)))).toBe("allowed")
  })

  it("2/3: object_type covers its sub-type only; a global exact-object block covers that object only", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        const d = yield* resource("device_config", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, ...channelType, actions: ["read"] })
        expect(yield* reason(s, "read", resourceTarget(c))).toBe("allowed")
        expect(yield* reason(s, "read", resourceTarget(d))).toBe("no matching allow policy")

        const g = yield* entity("service")
        const r1 = yield* resource("channel")
        const r2 = yield* resource("channel")
        yield* grant(entityRef(g), { scopeMode: "object", objectId: r1, actions: ["read"] })
        expect(yield* reason(g, "read", resourceTarget(r1))).toBe("allowed")
        expect(yield* reason(g, "read", resourceTarget(r2))).toBe("no matching allow policy")
      }),
    )
  })

  it("4/5: object_kind covers every resource kind; a bare object_type is inert", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        const rule = yield* resource("rule", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, scopeMode: "object_kind", objectKind: "resource", actions: ["read"] })
        expect(yield* reason(s, "read", resourceTarget(c))).toBe("allowed")
        expect(yield* reason(s, "read", resourceTarget(rule))).toBe("allowed")

        const bare = yield* entity("service", { tenantId: t })
        yield* grant(entityRef(bare), {
          tenantId: t,
          scopeMode: "object_type",
          objectKind: "resource",
          objectType: "channel",
          actions: ["read"],
        })
        expect(yield* reason(bare, "read", resourceTarget(c))).toBe("no matching allow policy")
      }),
    )
  })

  it("6: a role deny beats a direct allow with the same scope; 9: an exact-object deny beats a tenant allow", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, ...channelType, actions: ["read"] })
        const denyBlock = yield* block({ tenantId: t, ...channelType, effect: "deny", actions: ["read"] })
        const denyRole = yield* role(t, [denyBlock], "R-deny")
        yield* assignRole(denyRole, entityRef(s), t)
        expect(yield* reason(s, "read", resourceTarget(c))).toBe("explicitly denied by role 'R-deny' block")

        const x = yield* entity("device", { tenantId: t })
        const y = yield* entity("device", { tenantId: t })
        const u = yield* entity("service", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "object", objectId: x, effect: "deny", actions: ["read"] })
        expect(yield* reason(u, "read", entityTarget(x))).toBe("explicitly denied by direct policy")
        expect(yield* reason(u, "read", entityTarget(y))).toBe("allowed")
      }),
    )
  })

  it("7/33/34/35: conditions are evaluated against context, subject, object and tenant", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant({ attributes: { tier: "gold" } })
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t, attributes: { tags: ["production"], temperature: 42 } })
        yield* grantRole(entityRef(s), t, [
          { tenantId: t, ...channelType, conditions: { "context.mfa": true }, actions: ["read"] },
        ])
        expect(yield* reason(s, "read", resourceTarget(c), {})).toBe("no matching allow policy")
        expect(yield* reason(s, "read", resourceTarget(c), { mfa: true })).toBe("allowed")
        expect(yield* reason(s, "read", resourceTarget(c), { mfa: "true" })).toBe("no matching allow policy")

        const h = yield* entity("human", { attributes: { department_name: "ops" } })
        yield* membership(t, h)
        yield* grant(entityRef(h), {
          tenantId: t,
          scopeMode: "tenant",
          conditions: { "context.time": { gte: "2026-01-01T00:00:00Z" } },
          actions: ["read"],
        })
        expect(yield* reason(h, "read", resourceTarget(c), { time: "2026-04-29T12:00:00Z" })).toBe("allowed")
        expect(yield* reason(h, "read", resourceTarget(c), { time: "2025-12-31T23:59:59Z" })).toBe(
          "no matching allow policy",
        )
        expect(yield* reason(h, "read", resourceTarget(c))).toBe("no matching allow policy")

        // snake_case keys in attributes and condition paths arrive exactly as stored
        const rich = (gte: number) => ({
          "entity.attributes.department_name": { in: ["ops", "security"] },
          "entity.tenant_id": null,
          "object.type": "resource:channel",
          "tenant.status": "active",
          "tenant.attributes.tier": "gold",
          "object.attributes.tags": { contains: "production" },
          "object.attributes.temperature": { gte },
        })
        const h40 = yield* entity("human")
        yield* grant(entityRef(h40), { tenantId: t, scopeMode: "tenant", conditions: rich(40), actions: ["write"] })
        yield* grant(entityRef(h40), { tenantId: t, scopeMode: "tenant", conditions: rich(40), actions: ["read"] })
        const h50 = yield* entity("human", { attributes: { department_name: "ops" } })
        yield* grant(entityRef(h50), { tenantId: t, scopeMode: "tenant", conditions: rich(50), actions: ["read"] })
        yield* grant(entityRef(h), { tenantId: t, scopeMode: "tenant", conditions: rich(40), actions: ["write"] })
        expect(yield* reason(h, "write", resourceTarget(c))).toBe("allowed")
        // h40 has no department attribute: the path is missing, the condition fails
        expect(yield* reason(h40, "read", resourceTarget(c))).toBe("no matching allow policy")
        expect(yield* reason(h50, "read", resourceTarget(c))).toBe("no matching allow policy")
        const missing = yield* entity("human", { attributes: { department_name: "ops" } })
        yield* grant(entityRef(missing), {
          tenantId: t,
          scopeMode: "tenant",
          conditions: { "tenant.attributes.missing": "value" },
          actions: ["read"],
        })
        expect(yield* reason(missing, "read", resourceTarget(c))).toBe("no matching allow policy")
      }),
    )
  })

  it("10/11: tenant boundaries contain a member's grants", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t1 = yield* tenant()
        const t2 = yield* tenant()
        const h = yield* entity("human")
        yield* membership(t1, h)
        yield* grant(entityRef(h), { tenantId: t1, scopeMode: "tenant", actions: ["manage"] })
        yield* grant(entityRef(h), {
          tenantId: t1,
          scopeMode: "object_kind",
          objectKind: "resource",
          actions: ["read"],
        })
        const r1 = yield* resource("channel", { tenantId: t1 })
        const r2 = yield* resource("channel", { tenantId: t2 })
        const rg = yield* resource("channel")
        expect(yield* reason(h, "manage", resourceTarget(r1))).toBe("allowed")
        expect(yield* reason(h, "manage", resourceTarget(r2))).toBe("no matching allow policy")
        expect(yield* reason(h, "manage", resourceTarget(rg))).toBe("no matching allow policy")
        expect(yield* reason(h, "read", resourceTarget(r1))).toBe("allowed")
        expect(yield* reason(h, "read", resourceTarget(r2))).toBe("no matching allow policy")
        // membership alone lets a human read the tenant (§1), not another one
        expect(yield* reason(h, "read", tenantTarget(t1))).toBe("allowed")
        expect(yield* reason(h, "read", tenantTarget(t2))).toBe("no matching allow policy")
      }),
    )
  })

  it("15/16/73: tenant targets, grantless subjects, actions added after the admin block", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        expect(yield* reason(ADMIN, "manage", tenantTarget(t))).toBe("allowed")
        const n = yield* entity("service")
        expect(yield* reason(n, "manage", tenantTarget(t))).toBe("no matching allow policy")
        yield* change((sql) =>
          sql`INSERT INTO actions (name) VALUES ('custom.op')`.pipe(
            Effect.zipRight(sql`INSERT INTO action_applicability (action_id, object_kind)
                                SELECT id, 'resource' FROM actions WHERE name = 'custom.op'`),
          ),
        )
        const r = yield* resource("channel", { tenantId: t })
        expect(yield* reason(ADMIN, "custom.op", resourceTarget(r))).toBe("no matching allow policy")
      }),
    )
  })

  it("20–25: the object's tenant lifecycle decides first, with details; global objects are unaffected", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const c = yield* resource("channel", { tenantId: t })
        const global = yield* resource("channel")
        yield* change((sql) => sql`UPDATE tenants SET status = 'inactive' WHERE id = ${t}`)
        const inactive = yield* check(ADMIN, "manage", tenantTarget(t))
        expect(inactive.decision.reason).toBe("tenant is inactive")
        expect(inactive.decision.details).toEqual({ tenant_id: t, tenant_status: "inactive" })

        yield* change((sql) => sql`UPDATE tenants SET status = 'frozen' WHERE id = ${t}`)
        expect(yield* reason(ADMIN, "publish", resourceTarget(c))).toBe("tenant is frozen")
        expect(yield* reason(ADMIN, "publish", resourceTarget(global))).toBe("allowed")
        expect(yield* reason(ADMIN, "no-such-action", tenantTarget(t))).toBe("tenant is frozen")

        yield* change((sql) => sql`UPDATE tenants SET status = 'deleted', deleted_at = now() WHERE id = ${t}`)
        const deleted = yield* check(ADMIN, "manage", tenantTarget(t))
        expect(deleted.decision.reason).toBe("tenant is deleted")
        expect(deleted.decision.details).toEqual({ tenant_id: t, tenant_status: "deleted" })
      }),
    )
  })

  it("26/30: inapplicable and unknown actions; platform targets are never allowed", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const rule = yield* resource("rule", { tenantId: t })
        expect(yield* reason(ADMIN, "publish", resourceTarget(rule))).toBe("unknown action 'publish'")
        expect(yield* reason(ADMIN, "frobnicate", resourceTarget(rule))).toBe("unknown action 'frobnicate'")
        expect(yield* reason(ADMIN, "execute", resourceTarget(rule))).toBe("allowed")
        expect(yield* reason(ADMIN, "read", { kind: "platform" })).toBe("unknown action 'read'")
      }),
    )
  })

  it("27/28: subject and object resolution", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const c = yield* resource("channel", { tenantId: t })
        const gone = yield* entity("service")
        yield* change((sql) => sql`UPDATE entities SET deleted_at = now(), status = 'inactive' WHERE id = ${gone}`)
        expect(yield* reason(gone, "read", resourceTarget(c))).toBe("subject not found")
        const disabled = yield* entity("service", { status: "inactive" })
        expect(yield* reason(disabled, "read", resourceTarget(c))).toBe("subject is not active")
        const random = "6a0c3f70-1a5e-4c7e-9f55-0d6a1f8f4e21"
        expect(yield* reason(ADMIN, "read", resourceTarget(random))).toBe("resource not found")
        expect(yield* reason(ADMIN, "read", tenantTarget(random))).toBe("tenant not found")
        expect(yield* reason(ADMIN, "read", { kind: "credential", id: random })).toBe("credential not found")
        const off = yield* entity("device", { tenantId: t, status: "inactive" })
        expect(yield* reason(ADMIN, "read", entityTarget(off))).toBe("entity not found")
        const suspended = yield* entity("device", { tenantId: t, status: "suspended" })
        expect(yield* reason(ADMIN, "read", entityTarget(suspended))).toBe("allowed")
      }),
    )
  })

  it("ids are matched whatever their case; malformed ids name nothing", async () => {
    await rt.run(
      Effect.gen(function* () {
        const r = yield* resource("channel")
        expect(yield* reason(ADMIN.toUpperCase(), "read", resourceTarget(r.toUpperCase()))).toBe("allowed")
        expect(yield* reason("not-a-uuid", "read", resourceTarget(r))).toBe("subject not found")
        expect(yield* reason(ADMIN, "read", resourceTarget("not-a-uuid"))).toBe("resource not found")
      }),
    )
  })

  it("31/32: entity sub-types and global exact-object grants", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const h = yield* entity("human")
        yield* membership(t, h)
        yield* grant(entityRef(h), {
          tenantId: t,
          scopeMode: "object_type",
          objectKind: "entity",
          objectType: "entity:device",
          actions: ["manage"],
        })
        const d1 = yield* entity("device", { tenantId: t })
        const d2 = yield* entity("device", { tenantId: t })
        const sv = yield* entity("service", { tenantId: t })
        expect(yield* reason(h, "manage", entityTarget(d1))).toBe("allowed")
        expect(yield* reason(h, "manage", entityTarget(d2))).toBe("allowed")
        expect(yield* reason(h, "manage", entityTarget(sv))).toBe("no matching allow policy")

        const gh = yield* entity("human")
        const gd = yield* entity("device")
        const other = yield* entity("device")
        yield* grant(entityRef(gh), { scopeMode: "object", objectId: gd, actions: ["manage"] })
        expect(yield* reason(gh, "manage", entityTarget(gd))).toBe("allowed")
        expect(yield* reason(gh, "manage", entityTarget(other))).toBe("no matching allow policy")
      }),
    )
  })

  it("37: a soft-deleted role stops granting at once and resumes on restore", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const x = yield* entity("device", { tenantId: t })
        const roleId = yield* grantRole(entityRef(s), t, [{ tenantId: t, scopeMode: "tenant", actions: ["read"] }])
        expect(yield* reason(s, "read", entityTarget(x))).toBe("allowed")
        yield* change((sql) => sql`UPDATE roles SET deleted_at = now() WHERE id = ${roleId}`)
        expect(yield* reason(s, "read", entityTarget(x))).toBe("no matching allow policy")
        yield* change((sql) => sql`UPDATE roles SET deleted_at = NULL WHERE id = ${roleId}`)
        expect(yield* reason(s, "read", entityTarget(x))).toBe("allowed")
      }),
    )
  })

  it("a policy on a disabled subject's tenant still decides: the subject's own tenant is not checked (§6.8)", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const r = yield* resource("channel")
        const b = yield* block({ scopeMode: "object", objectId: r, actions: ["read"] })
        yield* directPolicy(b, entityRef(s), null)
        yield* change((sql) => sql`UPDATE tenants SET status = 'frozen' WHERE id = ${t}`)
        expect(yield* reason(s, "read", resourceTarget(r))).toBe("allowed")
      }),
    )
  })
})
