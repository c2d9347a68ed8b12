import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AuthzService } from "../../src/authz/index.js"
import { type AuthzRuntime, startAuthzRuntime } from "./support/authzRuntime.js"
import { ADMIN, callerOf, change, entity, entityRef, grant, grantRole, resource, tenant } from "./support/seed.js"

// authzExplain (authz.md §4, §5.8, §5.24; DESIGN.md §7): the deciding grant, every evaluated grant with
// its skip reason, and for a deny the nearest failing allow. Always agrees with authzCheck.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const admin = callerOf(ADMIN)

describe("AuthzService.explain", () => {
  it("8: an allow names the direct policy, its block and `direct`", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* AuthzService
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t, name: "svc-8" })
        const c = yield* resource("channel", { tenantId: t })
        const policyId = yield* grant(entityRef(s), {
          tenantId: t,
          scopeMode: "object_type",
          objectKind: "resource",
          objectType: "resource:channel",
          actions: ["read"],
        })
        const answer = yield* authz.explain(admin, { subjectId: s, action: "read", resourceId: c })
        expect(answer.decision.allowed).toBe(true)
        expect(answer.decision.reason).toBe("allowed")
        expect(answer.decision.decidingGrant?.bindingId).toBe(policyId)
        expect(answer.decision.decidingGrant?.via).toBe("direct")
        expect(answer.decision.evaluated).toHaveLength(1)
        expect(answer.decision.evaluated[0]?.result).toBe("matched")
        expect(answer.subject?.name).toBe("svc-8")
        expect(answer.object?.object.subKind).toBe("channel")
        expect(answer.capability?.name).toBe("read")
        const check = yield* authz.check(admin, { subjectId: s, action: "read", resourceId: c })
        expect(check.allowed).toBe(answer.decision.allowed)
      }),
    )
  })

  it("a deny reports every evaluated grant with its skip reason, and the nearest failing allow", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* AuthzService
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        const other = yield* tenant()
        yield* grant(entityRef(s), { tenantId: other, scopeMode: "tenant", actions: ["read"] })
        yield* grant(entityRef(s), { tenantId: t, scopeMode: "tenant", actions: ["write"] })
        yield* grantRole(entityRef(s), t, [
          { tenantId: t, scopeMode: "tenant", conditions: { "context.mfa": true }, actions: ["read"] },
        ])
        const answer = yield* authz.explain(admin, { subjectId: s, action: "read", resourceId: c })
        expect(answer.decision.reason).toBe("no matching allow policy")
        expect(answer.decision.decidingGrant).toBeNull()
        const skips = answer.decision.evaluated.map((e) => e.skipReason).sort()
        expect(skips).toEqual(["conditions_mismatch", "grant_mismatch", "scope_mismatch"])
        expect(answer.decision.nearestFailure?.skipReason).toBe("conditions_mismatch")
        expect(answer.decision.nearestFailure?.grant.roleName).not.toBeNull()
      }),
    )
  })

  it("an explicit deny is the deciding grant; every grant is still reported", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* AuthzService
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        const denyId = yield* grant(entityRef(s), {
          tenantId: t,
          scopeMode: "object",
          objectId: c,
          effect: "deny",
          actions: ["read"],
        })
        const answer = yield* authz.explain(admin, { subjectId: s, action: "read", resourceId: c })
        expect(answer.decision.reason).toBe("explicitly denied by direct policy")
        expect(answer.decision.decidingGrant?.bindingId).toBe(denyId)
        expect(answer.decision.evaluated.map((e) => e.result)).toEqual(["matched", "matched"])
      }),
    )
  })

  it("24: a lifecycle denial stops before grants: no capability match, no bindings", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* AuthzService
        const t = yield* tenant()
        yield* change((sql) => sql`UPDATE tenants SET status = 'frozen' WHERE id = ${t}`)
        const answer = yield* authz.explain(admin, {
          subjectId: ADMIN,
          action: "manage",
          objectKind: "tenant",
          objectId: t,
        })
        expect(answer.decision.allowed).toBe(false)
        expect(answer.decision.reason).toBe("tenant is frozen")
        expect(answer.decision.decidingGrant).toBeNull()
        expect(answer.decision.evaluated).toEqual([])
        expect(answer.decision.details).toEqual({ tenant_id: t, tenant_status: "frozen" })
      }),
    )
  })

  it("needs platform policy.manage or manage, even about oneself", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* AuthzService
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["policy.manage", "manage"] })
        const refused = yield* Effect.flip(
          authz.explain(callerOf(u, { tenantId: t }), {
            subjectId: u,
            action: "read",
            objectKind: "tenant",
            objectId: t,
          }),
        )
        expect(refused.message).toBe("forbidden")
      }),
    )
  })
})
