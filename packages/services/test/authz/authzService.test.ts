import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AuthzService, type CheckRequestFields } from "../../src/authz/index.js"
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
  objectGroup,
  resource,
  scopedToken,
  tenant,
} from "./support/seed.js"

// The use cases behind authzCheck, authzBulkCheck, gRPC Check and authorizedObjectIds: gates,
// request validation and listings (api.md §2.6, §3.5; authz.md §4, §5).

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const service = AuthzService

const failure = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (e) => e.message)

describe("AuthzService.check", () => {
  it("48/49: self-checks are free; checks about others need authz.check at the target's tenant", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t = yield* tenant()
        const dv = yield* entity("device", { tenantId: t })
        const channel = yield* resource("channel", { tenantId: t })
        const self = yield* authz.check(callerOf(dv, { tenantId: t }), {
          subjectId: dv,
          action: "publish",
          resourceId: channel,
        })
        expect(self).toEqual({ allowed: false, reason: "no matching allow policy", details: null })
        expect(
          yield* failure(
            authz.explain(callerOf(dv, { tenantId: t }), { subjectId: dv, action: "publish", resourceId: channel }),
          ),
        ).toBe("forbidden")

        const u = yield* entity("human", { tenantId: t })
        const other = yield* entity("service", { tenantId: t })
        const about = (fields: Partial<CheckRequestFields>) =>
          authz.check(callerOf(u, { tenantId: t }), { subjectId: other, action: "read", ...fields })
        expect(yield* failure(about({ resourceId: channel }))).toBe("forbidden")
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["authz.check"] })
        expect((yield* about({ resourceId: channel })).reason).toBe("no matching allow policy")
        expect((yield* about({ objectKind: "tenant", objectId: t })).reason).toBe("no matching allow policy")
        const global = yield* resource("channel")
        expect(yield* failure(about({ resourceId: global }))).toBe("forbidden")
        const group = yield* objectGroup(t)
        expect(yield* failure(about({ objectKind: "group", objectId: group }))).toBe("forbidden")
        // the platform admin may ask about anyone, anywhere
        const admin = yield* authz.check(callerOf(ADMIN), { subjectId: other, action: "read", resourceId: global })
        expect(admin.reason).toBe("no matching allow policy")
      }),
    )
  })

  it("validation messages: gRPC and GraphQL wording", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const caller = callerOf(ADMIN)
        const grpc = (fields: Partial<CheckRequestFields>) =>
          failure(authz.check(caller, { subjectId: ADMIN, action: "read", ...fields }, "grpc"))
        const graphql = (fields: Partial<CheckRequestFields>) =>
          failure(authz.check(caller, { subjectId: ADMIN, action: "read", ...fields }, "graphql"))
        const id = "8a0c3f70-1a5e-4c7e-9f55-0d6a1f8f4e21"
        expect(yield* grpc({ subjectId: "nope", resourceId: id })).toBe("invalid subject_id: expected UUID")
        expect(yield* grpc({ resourceId: "nope" })).toBe("invalid resource_id: expected UUID")
        expect(yield* grpc({ objectKind: "entity", objectId: "nope" })).toBe("invalid object_id: expected UUID")
        expect(yield* grpc({ objectId: id })).toBe("object_kind is required when object_id is provided")
        expect(yield* grpc({ objectKind: "entity" })).toBe("object_id is required when object_kind is provided")
        expect(yield* grpc({ objectKind: "role", objectId: id })).toBe(
          "unsupported object_kind 'role' (supported: platform, resource, tenant, entity, group, credential)",
        )
        expect(yield* grpc({ resourceId: "", objectKind: "", objectId: "" })).toBe(
          "authz check requires either resource_id or (object_kind, object_id)",
        )
        expect(yield* graphql({ subjectId: "nope", resourceId: id })).toBe("subjectId must be a UUID")
        expect(yield* graphql({ objectKind: "resource", objectId: "x" })).toBe("objectId must be a UUID")
        // the explicit pair wins over the legacy resourceId
        const t = yield* tenant()
        const winner = yield* authz.check(caller, {
          subjectId: ADMIN,
          action: "manage",
          resourceId: id,
          objectKind: "tenant",
          objectId: t,
        })
        expect(winner.reason).toBe("allowed")
      }),
    )
  })

  it("72: a scoped token checking itself is bounded by its ceiling; about others it is not", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "tenant", actions: ["read", "manage", "authz.check"] })
        const token = yield* scopedToken(u, [
          {
            scopeMode: "object_type",
            tenantId: t,
            objectKind: "resource",
            objectType: "resource:channel",
            actions: ["read", "authz.check"],
          },
          { scopeMode: "tenant", tenantId: t, actions: ["authz.check"] },
        ])
        const caller = callerOf(u, { tenantId: t, scopedCredentialId: token })
        expect((yield* authz.check(caller, { subjectId: u, action: "read", resourceId: c })).reason).toBe("allowed")
        expect((yield* authz.check(caller, { subjectId: u, action: "manage", resourceId: c })).reason).toBe(
          "denied by access token permission ceiling",
        )
        expect((yield* authz.check(caller, { subjectId: ADMIN, action: "manage", resourceId: c })).reason).toBe(
          "allowed",
        )
      }),
    )
  })
})

describe("AuthzService.bulkCheck", () => {
  it("answers in order, each like a single check; more than 20 items or one failed gate fail the call", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const c = yield* resource("channel", { tenantId: t })
        yield* grant(entityRef(s), { tenantId: t, scopeMode: "tenant", actions: ["read"] })
        const answers = yield* authz.bulkCheck(callerOf(s, { tenantId: t }), [
          { subjectId: s, action: "read", resourceId: c },
          { subjectId: s, action: "manage", resourceId: c },
          { subjectId: s, action: "read", objectKind: "tenant", objectId: t },
        ])
        expect(answers.map((a) => a.reason)).toEqual(["allowed", "no matching allow policy", "allowed"])
        const many = Array.from({ length: 21 }, () => ({ subjectId: s, action: "read", resourceId: c }))
        expect(yield* failure(authz.bulkCheck(callerOf(s), many))).toBe("input must contain at most 20 items")
        expect(
          yield* failure(
            authz.bulkCheck(callerOf(s, { tenantId: t }), [
              { subjectId: s, action: "read", resourceId: c },
              { subjectId: ADMIN, action: "read", resourceId: c },
            ]),
          ),
        ).toBe("forbidden")
      }),
    )
  })
})

describe("AuthzService.authorizedObjectIds", () => {
  it("14/62: listings need an unconditional allow, any covering deny hides, applicability filters", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        const k1 = yield* resource("channel", { tenantId: t })
        const k2 = yield* resource("channel", { tenantId: t })
        yield* resource("rule", { tenantId: t })
        yield* grantRole(entityRef(u), t, [
          {
            tenantId: t,
            scopeMode: "object_type",
            objectKind: "resource",
            objectType: "resource:channel",
            actions: ["read"],
          },
        ])
        yield* grant(entityRef(u), {
          tenantId: t,
          scopeMode: "object",
          objectId: k2,
          effect: "deny",
          actions: ["read"],
        })
        const caller = callerOf(u, { tenantId: t })
        const list = (objectType: string) =>
          authz.authorizedObjectIds(caller, { subjectId: u, action: "read", objectKind: "resource", objectType })
        expect(yield* list("resource:channel")).toEqual({ ids: [k1], total: 1 })
        expect(yield* list("channel")).toEqual({ ids: [k1], total: 1 })
        expect(yield* list("resource:rule")).toEqual({ ids: [], total: 0 })
        expect(
          yield* failure(authz.authorizedObjectIds(caller, { subjectId: u, action: "read", objectKind: "role" })),
        ).toBe("objectKind must be a valid object kind")
      }),
    )
  })

  it("61/66: platform-filtered grants span tenants; deleted tenants drop out; delegated listings are gated", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t1 = yield* tenant()
        const t2 = yield* tenant()
        const sv = yield* entity("service")
        yield* grantRole(entityRef(sv), null, [
          { scopeMode: "object_type", objectKind: "entity", objectType: "entity:device", actions: ["read"] },
        ])
        const d1 = yield* entity("device", { tenantId: t1 })
        const d2 = yield* entity("device", { tenantId: t2 })
        const h = yield* entity("human", { tenantId: t1 })
        const list = () =>
          authz.authorizedObjectIds(callerOf(ADMIN), {
            subjectId: sv,
            action: "read",
            objectKind: "entity",
            objectType: "entity:device",
            limit: 500,
          })
        const ids = (yield* list()).ids
        expect(ids).toContain(d1)
        expect(ids).toContain(d2)
        expect(ids).not.toContain(h)
        yield* change((sql) => sql`UPDATE tenants SET status = 'deleted', deleted_at = now() WHERE id = ${t2}`)
        const after = (yield* list()).ids
        expect(after).toContain(d1)
        expect(after).not.toContain(d2)
        expect(
          yield* failure(
            authz.authorizedObjectIds(callerOf(h, { tenantId: t1 }), {
              subjectId: sv,
              action: "read",
              objectKind: "entity",
            }),
          ),
        ).toBe("forbidden")
      }),
    )
  })

  it("65/67: paging reports the authorised total; q filters by name", async () => {
    await rt.run(
      Effect.gen(function* () {
        const authz = yield* service
        const t = yield* tenant()
        const u = yield* entity("human", { tenantId: t })
        yield* membership(t, u)
        const groups = [yield* objectGroup(t), yield* objectGroup(t), yield* objectGroup(t)]
        yield* grant(entityRef(u), { tenantId: t, scopeMode: "object_kind", objectKind: "group", actions: ["read"] })
        const caller = callerOf(u, { tenantId: t })
        const page = yield* authz.authorizedObjectIds(caller, {
          subjectId: u,
          action: "read",
          objectKind: "group",
          limit: 2,
        })
        expect(page.ids).toHaveLength(2)
        expect(page.total).toBe(3)
        yield* grant(entityRef(u), {
          tenantId: t,
          scopeMode: "object",
          objectId: groups[0]!,
          effect: "deny",
          actions: ["read"],
        })
        const rest = yield* authz.authorizedObjectIds(caller, { subjectId: u, action: "read", objectKind: "group" })
        expect(rest.total).toBe(2)
        expect(rest.ids).not.toContain(groups[0])
        const none = yield* authz.authorizedObjectIds(caller, {
          subjectId: u,
          action: "read",
          objectKind: "group",
          q: "zz%_no",
        })
        expect(none).toEqual({ ids: [], total: 0 })
      }),
    )
  })
})
