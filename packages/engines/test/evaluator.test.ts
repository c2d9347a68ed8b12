import type { Grant, ResolvedObject } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import { compileGrants, platformObject, tenantObject } from "../src/authz/index.js"
import {
  blockId,
  check,
  groupId,
  makeGrant,
  makeObject,
  makeRoleGrant,
  makeSubject,
  makeTenant,
  NOW,
  uuid,
} from "./fixtures/authzFixtures.js"

const T = makeTenant(0x71)
const T2 = makeTenant(0x72)
const S = makeSubject(0x51, { kind: "service", tenant: T })

// Object groups OP ⊃ OC ⊃ OCC; a device directly in OP and one in OC.
const OP = groupId(0x61)
const OC = groupId(0x62)
const opGroup = makeObject("group", 0x61, { tenant: T })
const ocGroup = makeObject("group", 0x62, { tenant: T, parent: OP })
const occGroup = makeObject("group", 0x63, { tenant: T, parent: OC, ancestors: [OP] })
const deviceInOP = makeObject("entity", 0x81, { tenant: T, parent: OP })
const deviceInOC = makeObject("entity", 0x82, { tenant: T, parent: OC, ancestors: [OP] })
const channel = makeObject("resource", 0x91, { tenant: T })
const rule = makeObject("resource", 0x92, { subKind: "rule", tenant: T })
const otherTenantChannel = makeObject("resource", 0x93, { tenant: T2 })
const globalChannel = makeObject("resource", 0x94)
const credential = makeObject("credential", 0x95, { subKind: "access_token", tenant: T })

const allows = (grant: Grant, object: ResolvedObject, action = "read"): boolean =>
  check(S, action, object, [grant]).allowed

describe("scope modes (authz.md §2.6)", () => {
  it("platform covers every object, including other tenants and global ones", () => {
    const g = makeGrant({ scopeMode: "platform" })
    for (const o of [channel, otherTenantChannel, globalChannel, deviceInOP, opGroup, credential]) {
      expect(allows(g, o)).toBe(true)
    }
    expect(allows(g, tenantObject(T))).toBe(true)
  })

  it("tenant covers the tenant's objects and the tenant itself", () => {
    const g = makeGrant({ scopeMode: "tenant", tenantId: T.id, scopeTenantId: T.id })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, credential)).toBe(true)
    expect(allows(g, tenantObject(T))).toBe(true)
    expect(allows(g, otherTenantChannel)).toBe(false)
    expect(allows(g, globalChannel)).toBe(false)
    expect(allows(makeGrant({ scopeMode: "tenant" }), channel)).toBe(false)
  })

  it("object_kind covers every object of the coarse kind", () => {
    const g = makeGrant({ scopeMode: "object_kind", objectKind: "resource", tenantId: T.id, scopeTenantId: T.id })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, rule)).toBe(true)
    expect(allows(g, deviceInOP)).toBe(false)
    expect(allows(g, otherTenantChannel)).toBe(false)
    const tenantKind = makeGrant({ scopeMode: "object_kind", objectKind: "tenant" })
    expect(allows(tenantKind, tenantObject(T))).toBe(true)
  })

  it("object_type splits at the first colon; a bare type never matches", () => {
    const g = makeGrant({ scopeMode: "object_type", objectKind: "resource", objectType: "resource:channel" })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, rule)).toBe(false)
    expect(allows(makeGrant({ scopeMode: "object_type", objectType: "channel" }), channel)).toBe(false)
    expect(allows(makeGrant({ scopeMode: "object_type", objectType: "tenant:tenant" }), tenantObject(T))).toBe(true)
    expect(allows(makeGrant({ scopeMode: "object_type", objectType: "group:group" }), opGroup)).toBe(true)
    expect(allows(makeGrant({ scopeMode: "object_type", objectType: "credential:access_token" }), credential)).toBe(
      true,
    )
    const colonInSubKind = makeObject("resource", 0x96, { subKind: "a:b" })
    expect(allows(makeGrant({ scopeMode: "object_type", objectType: "resource:a:b" }), colonInSubKind)).toBe(true)
  })

  it("object covers exactly one object of any kind", () => {
    const g = makeGrant({ scopeMode: "object", objectId: channel.id })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, rule)).toBe(false)
    expect(allows(makeGrant({ scopeMode: "object", objectId: T.id }), tenantObject(T))).toBe(true)
  })

  it("group covers the object group itself (fixed, authz.md §6.1)", () => {
    const g = makeGrant({ scopeMode: "group", groupId: OP, tenantId: T.id, scopeTenantId: T.id })
    expect(allows(g, opGroup)).toBe(true)
    expect(allows(g, ocGroup)).toBe(false)
    expect(allows(g, deviceInOP)).toBe(false)
    // an entity whose id happens to equal the group id is not the group
    expect(allows(g, makeObject("entity", 0x61, { tenant: T }))).toBe(false)
  })

  it("group_direct_objects covers objects directly in the group, of the type", () => {
    const g = makeGrant({
      scopeMode: "group_direct_objects",
      groupId: OP,
      objectKind: "entity",
      objectType: "entity:device",
    })
    expect(allows(g, deviceInOP)).toBe(true)
    expect(allows(g, deviceInOC)).toBe(false)
    expect(allows(g, makeObject("entity", 0x83, { subKind: "human", tenant: T, parent: OP }))).toBe(false)
    expect(allows(g, ocGroup)).toBe(false)
    const anyType = makeGrant({
      scopeMode: "group_direct_objects",
      groupId: OP,
      objectKind: "entity",
      objectType: null,
    })
    expect(allows(anyType, makeObject("entity", 0x83, { subKind: "human", tenant: T, parent: OP }))).toBe(true)
    const bare = makeGrant({ scopeMode: "group_direct_objects", groupId: OP, objectType: "device" })
    expect(allows(bare, deviceInOP)).toBe(false)
  })

  it("group_descendant_objects covers objects in strict descendants only", () => {
    const g = makeGrant({
      scopeMode: "group_descendant_objects",
      groupId: OP,
      objectKind: "entity",
      objectType: "entity:device",
    })
    expect(allows(g, deviceInOC)).toBe(true)
    expect(allows(g, deviceInOP)).toBe(false)
    expect(allows(g, occGroup)).toBe(false)
  })

  it("group_child_groups covers groups whose parent is the group", () => {
    const g = makeGrant({ scopeMode: "group_child_groups", groupId: OP })
    expect(allows(g, ocGroup)).toBe(true)
    expect(allows(g, occGroup)).toBe(false)
    expect(allows(g, opGroup)).toBe(false)
    expect(allows(g, deviceInOP)).toBe(false)
  })

  it("group_descendant_groups covers groups at any depth below, never the group itself", () => {
    const g = makeGrant({ scopeMode: "group_descendant_groups", groupId: OP })
    expect(allows(g, ocGroup)).toBe(true)
    expect(allows(g, occGroup)).toBe(true)
    expect(allows(g, opGroup)).toBe(false)
    expect(allows(g, deviceInOC)).toBe(false)
  })

  it("group-based modes without a group id match nothing", () => {
    for (const scopeMode of [
      "group",
      "group_direct_objects",
      "group_descendant_objects",
      "group_child_groups",
      "group_descendant_groups",
    ] as const) {
      for (const o of [opGroup, ocGroup, occGroup, deviceInOP, deviceInOC]) {
        expect(allows(makeGrant({ scopeMode, groupId: null }), o)).toBe(false)
      }
    }
  })
})

describe("tenant boundary (authz.md §2.5 step 1)", () => {
  it("a bounded grant only matches objects of its tenant, never global ones", () => {
    const g = makeGrant({ scopeMode: "platform", tenantId: T.id })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, otherTenantChannel)).toBe(false)
    expect(allows(g, globalChannel)).toBe(false)
    expect(allows(g, platformObject, "read")).toBe(false)
  })

  it("a cross-tenant exact-object grant never matches (scenario 41)", () => {
    const g = makeGrant({ scopeMode: "object", objectId: otherTenantChannel.id, tenantId: T.id, scopeTenantId: T.id })
    expect(check(S, "read", otherTenantChannel, [g]).reason).toBe("no matching allow policy")
  })

  it("an unbounded object_type grant spans all tenants (scenario 61)", () => {
    const g = makeGrant({ scopeMode: "object_type", objectType: "resource:channel" })
    expect(allows(g, channel)).toBe(true)
    expect(allows(g, otherTenantChannel)).toBe(true)
    expect(allows(g, globalChannel)).toBe(true)
  })
})

describe("decision steps and reasons (api.md §3.7)", () => {
  const platformRead = makeGrant()

  it("subject not found / not active come first", () => {
    expect(check(null, "read", { notFound: "resource" }, [platformRead])).toMatchObject({
      allowed: false,
      code: "subject_not_found",
      reason: "subject not found",
    })
    for (const status of ["inactive", "suspended"] as const) {
      expect(check(makeSubject(1, { status }), "read", channel, [platformRead]).reason).toBe("subject is not active")
    }
  })

  it("object not found names the kind", () => {
    for (const kind of ["resource", "tenant", "entity", "group", "credential"] as const) {
      expect(check(S, "read", { notFound: kind }, [platformRead])).toMatchObject({
        allowed: false,
        code: "object_not_found",
        reason: `${kind} not found`,
      })
    }
  })

  it("the tenant lifecycle denies every grant, with details, before action validation", () => {
    for (const status of ["inactive", "frozen", "deleted"] as const) {
      const tenant = makeTenant(0x71, status)
      const decision = check(S, "no-such-action", makeObject("resource", 1, { tenant }), [platformRead], {
        applicable: false,
      })
      expect(decision).toMatchObject({
        allowed: false,
        code: "tenant_lifecycle",
        reason: `tenant is ${status}`,
        details: { tenant_id: T.id, tenant_status: status },
      })
    }
    const tombstoned = makeTenant(0x71, "active", true)
    expect(check(S, "manage", tenantObject(tombstoned), [platformRead])).toMatchObject({
      reason: "tenant is deleted",
      details: { tenant_id: T.id, tenant_status: "deleted" },
    })
    const frozen = makeTenant(0x71, "frozen")
    expect(check(S, "read", tenantObject(frozen), [platformRead]).reason).toBe("tenant is frozen")
  })

  it("global objects ignore every tenant's lifecycle (scenario 23)", () => {
    const g = makeGrant({ action: "publish" })
    expect(check(S, "publish", globalChannel, [g]).reason).toBe("allowed")
  })

  it("unknown and inapplicable actions read the same", () => {
    expect(check(S, "frobnicate", rule, [platformRead]).reason).toBe("unknown action 'frobnicate'")
    expect(check(S, "publish", rule, [makeGrant({ action: "publish" })]).reason).toBe("unknown action 'publish'")
    expect(check(S, "read", platformObject, [platformRead]).reason).toBe("unknown action 'read'")
  })

  it("explicit denies name the role or the direct policy", () => {
    const roleDeny = makeRoleGrant("R-deny", { effect: "deny" })
    expect(check(S, "read", channel, [platformRead, roleDeny])).toMatchObject({
      allowed: false,
      code: "explicit_deny",
      reason: "explicitly denied by role 'R-deny' block",
      decidingGrant: roleDeny,
    })
    const directDeny = makeGrant({ effect: "deny", scopeMode: "object", objectId: channel.id })
    expect(check(S, "read", channel, [platformRead, directDeny]).reason).toBe("explicitly denied by direct policy")
  })

  it("no allow is a deny", () => {
    expect(check(S, "read", channel, [])).toMatchObject({
      allowed: false,
      code: "no_allow",
      reason: "no matching allow policy",
    })
    expect(check(S, "write", channel, [platformRead]).reason).toBe("no matching allow policy")
  })

  it("allowed names the deciding grant", () => {
    expect(check(S, "read", channel, [platformRead])).toMatchObject({
      allowed: true,
      code: "allowed",
      reason: "allowed",
      details: null,
      decidingGrant: platformRead,
    })
  })
})

describe("precedence (authz.md §2.9)", () => {
  it("deny beats allow regardless of specificity, source or order", () => {
    const exactAllow = makeGrant({ scopeMode: "object", objectId: channel.id })
    const broadDeny = makeRoleGrant("broad", { effect: "deny", scopeMode: "platform" })
    expect(check(S, "read", channel, [exactAllow, broadDeny]).allowed).toBe(false)
    expect(check(S, "read", channel, [broadDeny, exactAllow]).allowed).toBe(false)
  })

  it("a deny for another action or object does not interfere (scenario 9)", () => {
    const tenantRead = makeGrant({ scopeMode: "tenant", tenantId: T.id, scopeTenantId: T.id })
    const denyX = makeGrant({ effect: "deny", scopeMode: "object", objectId: deviceInOP.id, tenantId: T.id })
    expect(check(S, "read", deviceInOP, [tenantRead, denyX]).reason).toBe("explicitly denied by direct policy")
    expect(check(S, "read", deviceInOC, [tenantRead, denyX]).reason).toBe("allowed")
    expect(check(S, "write", deviceInOP, [makeGrant({ action: "write" }), denyX]).reason).toBe("allowed")
  })

  it("the first applicable deny in grant order decides the reason", () => {
    const a = makeRoleGrant("first", { effect: "deny" })
    const b = makeRoleGrant("second", { effect: "deny" })
    expect(check(S, "read", channel, [a, b]).reason).toBe("explicitly denied by role 'first' block")
    expect(check(S, "read", channel, [b, a]).reason).toBe("explicitly denied by role 'second' block")
  })
})

describe("expiry", () => {
  it("an expired grant never matches; one expiring later does", () => {
    const past = makeGrant({ expiresAt: new Date(NOW - 1) })
    const atNow = makeGrant({ expiresAt: new Date(NOW) })
    const future = makeGrant({ expiresAt: new Date(NOW + 60_000) })
    expect(check(S, "read", channel, [past]).allowed).toBe(false)
    expect(check(S, "read", channel, [atNow]).allowed).toBe(false)
    expect(check(S, "read", channel, [future]).allowed).toBe(true)
    expect(
      check(S, "read", channel, [future, makeGrant({ effect: "deny", expiresAt: new Date(NOW - 1) })]).allowed,
    ).toBe(true)
    expect(check(S, "read", channel, [past], { explain: true }).evaluated[0]?.skipReason).toBe("expired")
    expect(check(S, "read", channel, [makeGrant({ expiresAt: new Date(Number.NaN) })]).allowed).toBe(false)
  })

  it("the grant set reports its earliest expiry for cache invalidation", () => {
    const set = compileGrants([
      makeGrant({ expiresAt: new Date(NOW + 5000) }),
      makeGrant(),
      makeGrant({ expiresAt: new Date(NOW + 1000) }),
    ])
    expect(set.earliestExpiry).toBe(NOW + 1000)
    expect(compileGrants([makeGrant({ expiresAt: new Date(Number.NaN) })]).earliestExpiry).toBe(-Infinity)
    expect(compileGrants([makeGrant()]).earliestExpiry).toBeNull()
  })
})

describe("runtime mode vs gate mode", () => {
  const mfa = { "context.mfa": true }
  const conditionalAllow = makeGrant({ action: "manage", conditions: mfa })
  const conditionalDeny = makeGrant({ action: "manage", effect: "deny", conditions: mfa })
  const plainAllow = makeGrant({ action: "manage" })

  it("runtime evaluates conditions against the context (scenario 7)", () => {
    expect(check(S, "manage", channel, [conditionalAllow], { context: {} }).reason).toBe("no matching allow policy")
    expect(check(S, "manage", channel, [conditionalAllow], { context: { mfa: true } }).reason).toBe("allowed")
    expect(check(S, "manage", channel, [conditionalAllow]).reason).toBe("no matching allow policy")
  })

  it("runtime applies a conditional deny only when it holds", () => {
    expect(check(S, "manage", channel, [plainAllow, conditionalDeny], { context: {} }).allowed).toBe(true)
    expect(check(S, "manage", channel, [plainAllow, conditionalDeny], { context: { mfa: true } }).allowed).toBe(false)
  })

  it("gate ignores a conditional allow, even when the context would satisfy it (scenario 42)", () => {
    expect(check(S, "manage", channel, [conditionalAllow], { mode: "gate", context: { mfa: true } }).allowed).toBe(
      false,
    )
  })

  it("gate applies a conditional deny, even when the context would not satisfy it (scenario 43)", () => {
    const decision = check(S, "manage", channel, [plainAllow, conditionalDeny], { mode: "gate", context: {} })
    expect(decision.code).toBe("explicit_deny")
  })

  it("gate applies a deny with malformed conditions; runtime never does", () => {
    const broken = makeGrant({ action: "manage", effect: "deny", conditions: "oops" })
    expect(check(S, "manage", channel, [plainAllow, broken], { mode: "gate" }).allowed).toBe(false)
    expect(check(S, "manage", channel, [plainAllow, broken]).allowed).toBe(true)
  })
})

describe("ABAC document (authz.md §2.7)", () => {
  const H = makeSubject(0x52, { tenant: null, attributes: { department: "ops" } })
  const gold = makeTenant(0x71, "active", false, { tier: "gold" })
  const C = makeObject("resource", 0x97, {
    tenant: gold,
    parent: OP,
    ancestors: [groupId(0x60)],
    attributes: { tags: ["production"], temperature: 42 },
  })
  const when = (conditions: Record<string, unknown>, context: unknown = {}) =>
    check(H, "read", C, [makeGrant({ scopeMode: "tenant", tenantId: gold.id, scopeTenantId: gold.id, conditions })], {
      context,
    }).allowed

  it("exposes entity, object, resource, tenant and context (scenario 34)", () => {
    const base = {
      "entity.attributes.department": { in: ["ops", "security"] },
      "object.type": "resource:channel",
      "tenant.status": "active",
      "object.attributes.tags": { contains: "production" },
      "object.attributes.temperature": { gte: 40 },
    }
    expect(when(base)).toBe(true)
    expect(when({ ...base, "object.attributes.temperature": { gte: 50 } })).toBe(false)
    expect(when({ ...base, "tenant.attributes.missing": "value" })).toBe(false)
    expect(when({ "tenant.attributes.tier": "gold", "tenant.id": gold.id })).toBe(true)
    expect(when({ "entity.tenant_id": null, "entity.kind": "human", "entity.status": "active" })).toBe(true)
    expect(when({ "object.kind": "resource", "resource.kind": "channel", "object.id": C.id })).toBe(true)
    expect(when({ "object.parent_group_id": OP, "object.ancestor_group_ids": { contains: groupId(0x60) } })).toBe(true)
    expect(when({ "object.tenant_id": gold.id, "resource.tenant_id": gold.id })).toBe(true)
  })

  it("injects nothing into context: time exists only if sent (scenario 33)", () => {
    const after2026 = { "context.time": { gte: "2026-01-01T00:00:00Z" } }
    expect(when(after2026, { time: "2026-04-29T12:00:00Z" })).toBe(true)
    expect(when(after2026, { time: "2025-12-31T23:59:59Z" })).toBe(false)
    expect(when(after2026, {})).toBe(false)
    expect(when({ "env.time": { gte: "2026-01-01T00:00:00Z" } })).toBe(false)
  })

  it("object.type is null for non entity/resource objects; resource is present for all kinds", () => {
    const g = (conditions: Record<string, unknown>) => [makeGrant({ conditions })]
    expect(check(H, "read", tenantObject(gold), g({ "object.type": null, "resource.kind": "tenant" })).allowed).toBe(
      true,
    )
    expect(check(H, "read", opGroup, g({ "object.type": null, "object.kind": "group" })).allowed).toBe(true)
  })
})

describe("access token ceiling (§2.2 step 10)", () => {
  const readWrite = [makeGrant({ action: "read" }), makeGrant({ action: "manage" })]
  const ceiling = [
    makeGrant({
      source: "access_token_ceiling",
      via: "access_token_ceiling",
      scopeMode: "object_type",
      objectType: "resource:channel",
      tenantId: T.id,
      scopeTenantId: T.id,
    }),
  ]

  it("must also match, after the grants (scenario 72)", () => {
    expect(check(S, "read", channel, readWrite, { ceiling }).reason).toBe("allowed")
    expect(check(S, "manage", channel, readWrite, { ceiling }).reason).toBe("denied by access token permission ceiling")
    expect(check(S, "read", rule, readWrite, { ceiling }).reason).toBe("denied by access token permission ceiling")
    expect(check(S, "read", rule, readWrite, { ceiling: [] }).reason).toBe("denied by access token permission ceiling")
  })

  it("never turns a deny into an allow", () => {
    expect(check(S, "write", channel, readWrite, { ceiling }).reason).toBe("no matching allow policy")
    const deny = makeGrant({ effect: "deny" })
    expect(check(S, "read", channel, [...readWrite, deny], { ceiling }).code).toBe("explicit_deny")
  })
})

describe("explain", () => {
  const scopeMiss = makeGrant({ scopeMode: "object", objectId: uuid(0xdead), blockId: blockId(1) })
  const actionMiss = makeGrant({ action: "write", blockId: blockId(2) })
  const conditionMiss = makeGrant({ conditions: { "context.mfa": true }, blockId: blockId(3) })
  const match = makeGrant({ blockId: blockId(4) })

  it("reports every grant's first failing step in expansion order", () => {
    const decision = check(S, "read", channel, [scopeMiss, actionMiss, conditionMiss, match], { explain: true })
    expect(decision.allowed).toBe(true)
    expect(decision.decidingGrant).toBe(match)
    expect(decision.evaluated.map((e) => [e.result, e.skipReason])).toEqual([
      ["skipped", "scope_mismatch"],
      ["skipped", "grant_mismatch"],
      ["skipped", "conditions_mismatch"],
      ["matched", null],
    ])
  })

  it("a deny decided by no allow names the nearest failing allow", () => {
    const decision = check(S, "read", channel, [scopeMiss, conditionMiss, actionMiss], { explain: true })
    expect(decision.reason).toBe("no matching allow policy")
    expect(decision.nearestFailure?.grant).toBe(conditionMiss)
    expect(decision.nearestFailure?.skipReason).toBe("conditions_mismatch")
  })

  it("an explicit deny is the deciding grant, and the trace stays complete", () => {
    const deny = makeRoleGrant("R", { effect: "deny", blockId: blockId(5) })
    const decision = check(S, "read", channel, [match, deny, scopeMiss], { explain: true })
    expect(decision.decidingGrant).toBe(deny)
    expect(decision.evaluated).toHaveLength(3)
  })

  it("pre-grant failures carry no trace (scenario 24)", () => {
    const frozen = makeTenant(0x71, "frozen")
    const decision = check(S, "manage", tenantObject(frozen), [match], { explain: true })
    expect(decision).toMatchObject({ allowed: false, reason: "tenant is frozen", decidingGrant: null, evaluated: [] })
  })

  it("appends ceiling entries when the ceiling is consulted; a ceiling denial has no deciding grant", () => {
    const entry = makeGrant({ source: "access_token_ceiling", via: "access_token_ceiling", action: "write" })
    const decision = check(S, "read", channel, [match], { explain: true, ceiling: [entry] })
    expect(decision.reason).toBe("denied by access token permission ceiling")
    expect(decision.decidingGrant).toBeNull()
    expect(decision.evaluated.at(-1)).toMatchObject({ grant: entry, skipReason: "grant_mismatch" })
    expect(decision.nearestFailure?.grant).toBe(entry)
  })

  it("agrees with the fast path", () => {
    const grants = [
      scopeMiss,
      actionMiss,
      conditionMiss,
      match,
      makeRoleGrant("X", { effect: "deny", action: "write" }),
    ]
    for (const action of ["read", "write", "manage"]) {
      for (const context of [{}, { mfa: true }]) {
        const fast = check(S, action, channel, grants, { context })
        const slow = check(S, action, channel, grants, { context, explain: true })
        expect([slow.allowed, slow.code, slow.reason, slow.decidingGrant]).toEqual([
          fast.allowed,
          fast.code,
          fast.reason,
          fast.decidingGrant,
        ])
      }
    }
  })
})
