import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { anyOf, Gate, ObjectScope, Platform, type Requirement, Tenant } from "../../src/authz/index.js"
import { type AuthzRuntime, startAuthzRuntime } from "./support/authzRuntime.js"
import {
  ADMIN,
  callerOf,
  change,
  entity,
  entityRef,
  grant,
  grantRole,
  membership,
  resource,
  scopedToken,
  tenant,
} from "./support/seed.js"

// The admin gate (authz.md §3.1) through the Gate Live layer, on a real database.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const allows = (entityId: string, requirements: ReadonlyArray<Requirement>, tenantId: string | null = null) =>
  Effect.flatMap(Gate, (gate) => gate.allows(callerOf(entityId, { tenantId }), requirements))

const createEntityIn = (t: string) => anyOf(["manage", "write"], Tenant(t))

describe("Gate", () => {
  it("45: the admin passes platform and tenant gates in any active tenant", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        expect(yield* allows(ADMIN, anyOf(["manage"], Platform, Tenant(t)))).toBe(true)
        expect(yield* allows(ADMIN, anyOf(["role.manage"], Tenant(t)))).toBe(true)
        expect(yield* allows(ADMIN, createEntityIn(t))).toBe(true)
        // a frozen tenant's scope drops out; the platform alternative still passes
        yield* change((sql) => sql`UPDATE tenants SET status = 'frozen' WHERE id = ${t}`)
        expect(yield* allows(ADMIN, anyOf(["manage"], Tenant(t)))).toBe(false)
        expect(yield* allows(ADMIN, anyOf(["manage"], Tenant(t), Platform))).toBe(true)
      }),
    )
  })

  it("42/43/44: gates ignore conditional allows and honour conditional and role denies", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const conditional = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(conditional), {
          tenantId: t,
          scopeMode: "tenant",
          conditions: { "context.mfa": true },
          actions: ["manage"],
        })
        expect(yield* allows(conditional, createEntityIn(t), t)).toBe(false)

        const deniedWhenMfa = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(deniedWhenMfa), { tenantId: t, scopeMode: "tenant", actions: ["manage"] })
        yield* grant(entityRef(deniedWhenMfa), {
          tenantId: t,
          scopeMode: "tenant",
          effect: "deny",
          conditions: { "context.mfa": true },
          actions: ["manage"],
        })
        expect(yield* allows(deniedWhenMfa, createEntityIn(t), t)).toBe(false)

        const roleDeny = yield* entity("human", { tenantId: t })
        yield* grantRole(entityRef(roleDeny), t, [
          { tenantId: t, scopeMode: "tenant", effect: "deny", actions: ["manage"] },
        ])
        expect(yield* allows(roleDeny, createEntityIn(t), t)).toBe(false)

        // a denied action fails alone: another passing action still authorises
        yield* grant(entityRef(roleDeny), { tenantId: t, scopeMode: "tenant", actions: ["write"] })
        expect(yield* allows(roleDeny, createEntityIn(t), t)).toBe(true)
      }),
    )
  })

  it("46/47: tenant-bound grants pass tenant gates of their tenant only, never platform gates", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t1 = yield* tenant()
        const t2 = yield* tenant()
        const h = yield* entity("human")
        yield* membership(t1, h)
        yield* grant(entityRef(h), { tenantId: t1, scopeMode: "tenant", actions: ["policy.manage", "manage"] })
        expect(yield* allows(h, anyOf(["policy.manage"], Tenant(t1)))).toBe(true)
        expect(yield* allows(h, anyOf(["policy.manage"], Tenant(t2)))).toBe(false)
        expect(yield* allows(h, anyOf(["policy.manage"], Tenant(null)))).toBe(false)
        // updateTenant (manage @P or @T) passes; freeze (manage @P) does not
        expect(yield* allows(h, anyOf(["manage"], Platform, Tenant(t1)))).toBe(true)
        expect(yield* allows(h, anyOf(["manage"], Platform))).toBe(false)
      }),
    )
  })

  it("object scopes: grants covering the object, bounded by the object's tenant", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const r = yield* resource("channel", { tenantId: t })
        const u = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "object", objectId: r, actions: ["manage"] })
        expect(yield* allows(u, anyOf(["manage"], ObjectScope("resource", r)), t)).toBe(true)
        expect(yield* allows(u, anyOf(["manage"], Tenant(t)), t)).toBe(false)
        // one evaluator (DESIGN.md §7): a kind scope covering the object counts at its object gate,
        // but the tenant object is not a resource
        const k = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(k), {
          tenantId: t,
          scopeMode: "object_kind",
          objectKind: "resource",
          actions: ["manage"],
        })
        expect(yield* allows(k, anyOf(["manage"], ObjectScope("resource", r)), t)).toBe(true)
        expect(yield* allows(k, anyOf(["manage"], Tenant(t)), t)).toBe(false)
        // unknown objects and malformed ids drop out instead of failing
        expect(yield* allows(ADMIN, anyOf(["manage"], ObjectScope("resource", "not-a-uuid")))).toBe(false)
      }),
    )
  })

  it("the caller must be active and live, its tenant active", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["manage"] })
        expect(yield* allows(u, createEntityIn(t), t)).toBe(true)
        yield* change((sql) => sql`UPDATE entities SET status = 'suspended' WHERE id = ${u}`)
        expect(yield* allows(u, createEntityIn(t), t)).toBe(false)
        yield* change((sql) => sql`UPDATE entities SET status = 'active' WHERE id = ${u}`)
        yield* change((sql) => sql`UPDATE tenants SET status = 'inactive' WHERE id = ${t}`)
        expect(yield* allows(u, anyOf(["manage"], Tenant(t), Platform), t)).toBe(false)
      }),
    )
  })

  it("72: a scoped token's ceiling bounds its gates; an empty ceiling permits nothing", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["manage", "read"] })
        const token = yield* scopedToken(u, [{ scopeMode: "tenant", tenantId: t, actions: ["read"] }])
        const gate = yield* Gate
        const scoped = callerOf(u, { tenantId: t, scopedCredentialId: token })
        expect(yield* gate.allows(scoped, anyOf(["read"], Tenant(t)))).toBe(true)
        expect(yield* gate.allows(scoped, anyOf(["manage"], Tenant(t)))).toBe(false)
        const empty = yield* scopedToken(u, [])
        expect(
          yield* gate.allows(callerOf(u, { tenantId: t, scopedCredentialId: empty }), anyOf(["read"], Tenant(t))),
        ).toBe(false)
      }),
    )
  })

  it("require fails with forbidden; a revocation earlier in the same request counts at the next gate", async () => {
    await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        const policy = yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["manage"] })
        const gate = yield* Gate
        const caller = callerOf(u, { tenantId: t })
        yield* gate.require(caller, createEntityIn(t))
        yield* change((sql) => sql`DELETE FROM direct_policies WHERE id = ${policy}`)
        const refused = yield* Effect.flip(gate.require(caller, createEntityIn(t)))
        expect(refused.message).toBe("forbidden")
      }),
    )
  })
})
