import type { BindingRow, GrantExpansionInput, Subject } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import { authorizedObjectIds, compileGrants, expandGrants, tenantObject } from "../src/authz/index.js"
import {
  applicability,
  bindingId,
  blockId,
  check,
  groupId,
  makeObject,
  makeSubject,
  makeTenant,
  NOW,
} from "./fixtures/authzFixtures.js"
import { makeBinding, makeRoleBinding, membership, principalGroup } from "./fixtures/expansionFixtures.js"

// Behavioural scenarios of authz.md §5, driven through expansion → evaluation as the PDP service would.

const T = makeTenant(0x71)
const T1 = makeTenant(0x71)
const T2 = makeTenant(0x72)

const grantsOf = (subject: Subject, overrides: Partial<GrantExpansionInput> = {}) =>
  expandGrants({ subject, principalGroups: [], bindings: [], memberships: [], ...overrides })

const bound = (tenant: typeof T, row: Partial<BindingRow>): Partial<BindingRow> => ({
  tenantId: tenant.id,
  blockTenantId: tenant.id,
  ...row,
})

describe("authz.md §5 scenarios", () => {
  it("2: T-bound object_type resource:channel allows channels only", () => {
    const S = makeSubject(0x51, { kind: "service", tenant: T })
    const grants = grantsOf(S, {
      bindings: [
        makeBinding({ subjectId: S.id, ...bound(T, { scopeMode: "object_type", objectType: "resource:channel" }) }),
      ],
    })
    expect(check(S, "read", makeObject("resource", 1, { tenant: T }), grants).reason).toBe("allowed")
    const D = makeObject("resource", 2, { subKind: "device_config", tenant: T })
    expect(check(S, "read", D, grants).reason).toBe("no matching allow policy")
  })

  it("3: a global exact-object block covers that global object only", () => {
    const S = makeSubject(0x51, { kind: "service" })
    const R1 = makeObject("resource", 1)
    const grants = grantsOf(S, { bindings: [makeBinding({ subjectId: S.id, scopeMode: "object", objectId: R1.id })] })
    expect(check(S, "read", R1, grants).allowed).toBe(true)
    expect(check(S, "read", makeObject("resource", 2), grants).allowed).toBe(false)
  })

  it("4/5: object_kind covers every resource kind; a bare object_type is inert", () => {
    const S = makeSubject(0x51, { kind: "service", tenant: T })
    const kind = grantsOf(S, {
      bindings: [makeBinding({ subjectId: S.id, ...bound(T, { scopeMode: "object_kind", objectKind: "resource" }) })],
    })
    expect(check(S, "read", makeObject("resource", 1, { tenant: T }), kind).allowed).toBe(true)
    expect(check(S, "read", makeObject("resource", 2, { subKind: "rule", tenant: T }), kind).allowed).toBe(true)
    const bare = grantsOf(S, {
      bindings: [makeBinding({ subjectId: S.id, ...bound(T, { scopeMode: "object_type", objectType: "channel" }) })],
    })
    expect(check(S, "read", makeObject("resource", 1, { tenant: T }), bare).reason).toBe("no matching allow policy")
  })

  it("6: a role deny beats a direct allow with the same scope", () => {
    const S = makeSubject(0x51, { kind: "service", tenant: T })
    const scope = bound(T, { scopeMode: "object_type", objectType: "resource:channel" })
    const grants = grantsOf(S, {
      bindings: [
        makeBinding({ subjectId: S.id, ...scope }),
        makeRoleBinding("R-deny", { subjectId: S.id, bindingId: bindingId(2), effect: "deny", ...scope }),
      ],
    })
    expect(check(S, "read", makeObject("resource", 1, { tenant: T }), grants).reason).toBe(
      "explicitly denied by role 'R-deny' block",
    )
  })

  it("8: explain names the direct policy, its block and `direct`", () => {
    const S = makeSubject(0x51, { kind: "service", tenant: T })
    const grants = grantsOf(S, {
      bindings: [
        makeBinding({
          subjectId: S.id,
          bindingId: bindingId(0xd1),
          blockId: blockId(0xb1),
          ...bound(T, { scopeMode: "object_type", objectType: "resource:channel" }),
        }),
      ],
    })
    const decision = check(S, "read", makeObject("resource", 1, { tenant: T }), grants, { explain: true })
    expect(decision.decidingGrant).toMatchObject({ bindingId: bindingId(0xd1), blockId: blockId(0xb1), via: "direct" })
    expect(decision.evaluated.map((e) => e.result)).toEqual(["matched"])
  })

  it("10/11: a member's T1-bound grants never reach T2 or global objects", () => {
    const H = makeSubject(0x52)
    for (const scope of [
      { scopeMode: "tenant" as const, action: "manage" },
      { scopeMode: "object_kind" as const, objectKind: "resource", action: "manage" },
    ]) {
      const grants = grantsOf(H, {
        memberships: [membership(T1.id)],
        bindings: [makeBinding({ subjectId: H.id, ...bound(T1, scope) })],
      })
      expect(check(H, "manage", makeObject("resource", 1, { tenant: T1 }), grants).allowed).toBe(true)
      expect(check(H, "manage", makeObject("resource", 2, { tenant: T2 }), grants).allowed).toBe(false)
      expect(check(H, "manage", makeObject("resource", 3), grants).allowed).toBe(false)
    }
  })

  it("14: a deny inherited through P hides K from U in C ⊂ P, in checks and listings", () => {
    const U = makeSubject(0x53, { tenant: T })
    const P = groupId(0x41)
    const C = groupId(0x42)
    const K = makeObject("resource", 0x91, { tenant: T })
    const other = makeObject("resource", 0x92, { tenant: T })
    const grants = grantsOf(U, {
      principalGroups: [principalGroup(P, null), principalGroup(C, P, { directMember: true })],
      bindings: [
        makeRoleBinding("reader", {
          subjectId: U.id,
          ...bound(T, { scopeMode: "object_type", objectType: "resource:channel" }),
        }),
        makeBinding({
          subjectKind: "group",
          subjectId: P,
          bindingId: bindingId(2),
          effect: "deny",
          ...bound(T, { scopeMode: "object", objectId: K.id }),
        }),
      ],
    })
    expect(check(U, "read", K, grants).reason).toBe("explicitly denied by direct policy")
    const listing = { subject: U, action: "read", applicability, grants: compileGrants(grants), now: NOW }
    expect(authorizedObjectIds(listing, [K, other])).toEqual([other.id])
  })

  it("15/16/19: tenant-admin manage on the tenant object; nothing without grants", () => {
    const H = makeSubject(0x52)
    const admin = grantsOf(H, {
      memberships: [membership(T1.id)],
      bindings: [
        makeRoleBinding("tenant-admin", {
          subjectId: H.id,
          ...bound(T1, { scopeMode: "tenant", action: "manage" }),
        }),
      ],
    })
    expect(check(H, "manage", tenantObject(T1), admin).reason).toBe("allowed")
    expect(check(H, "manage", tenantObject(T2), admin).reason).toBe("no matching allow policy")
    const N = makeSubject(0x54, { kind: "service" })
    expect(check(N, "manage", tenantObject(T1), grantsOf(N)).reason).toBe("no matching allow policy")
  })

  it("31/32: object_type entity:device and global exact-object entity grants", () => {
    const H = makeSubject(0x52)
    const grants = grantsOf(H, {
      memberships: [membership(T.id)],
      bindings: [
        makeBinding({
          subjectId: H.id,
          action: "manage",
          ...bound(T, { scopeMode: "object_type", objectType: "entity:device" }),
        }),
      ],
    })
    expect(check(H, "manage", makeObject("entity", 1, { tenant: T }), grants).allowed).toBe(true)
    expect(check(H, "manage", makeObject("entity", 2, { subKind: "service", tenant: T }), grants).allowed).toBe(false)
    const D = makeObject("entity", 3)
    const exact = grantsOf(H, {
      bindings: [makeBinding({ subjectId: H.id, action: "manage", scopeMode: "object", objectId: D.id })],
    })
    expect(check(H, "manage", D, exact).allowed).toBe(true)
    expect(check(H, "manage", makeObject("entity", 4), exact).allowed).toBe(false)
  })

  it("40: membership alone lets a human read the tenant, nothing more", () => {
    const M = makeSubject(0x55)
    const grants = grantsOf(M, { memberships: [membership(T.id)] })
    expect(check(M, "read", tenantObject(T), grants).allowed).toBe(true)
    expect(check(M, "manage", tenantObject(T), grants).allowed).toBe(false)
  })

  it("41: a T2-bound exact-object grant on a T1 channel never applies; T1-bound does", () => {
    const U = makeSubject(0x53)
    const C = makeObject("resource", 0x91, { tenant: T1 })
    const wrong = grantsOf(U, {
      memberships: [membership(T2.id)],
      bindings: [makeBinding({ subjectId: U.id, ...bound(T2, { scopeMode: "object", objectId: C.id }) })],
    })
    expect(check(U, "read", C, wrong).allowed).toBe(false)
    const right = grantsOf(U, {
      memberships: [membership(T1.id)],
      bindings: [makeBinding({ subjectId: U.id, ...bound(T1, { scopeMode: "object", objectId: C.id }) })],
    })
    expect(check(U, "read", C, right).allowed).toBe(true)
  })

  it("61: a platform role with object_type entity:device reads devices in every tenant", () => {
    const Sv = makeSubject(0x56, { kind: "service" })
    const grants = grantsOf(Sv, {
      bindings: [makeRoleBinding("fleet", { subjectId: Sv.id, scopeMode: "object_type", objectType: "entity:device" })],
    })
    const d1 = makeObject("entity", 1, { tenant: T1 })
    const d2 = makeObject("entity", 2, { tenant: T2 })
    const human = makeObject("entity", 3, { subKind: "human", tenant: T1 })
    const listing = { subject: Sv, action: "read", applicability, grants: compileGrants(grants), now: NOW }
    expect(authorizedObjectIds(listing, [d1, d2, human])).toEqual([d1.id, d2.id])
    expect(check(Sv, "read", d1, grants).allowed).toBe(true)
    expect(check(Sv, "read", d2, grants).allowed).toBe(true)
  })

  it("63: group_direct_objects vs group_descendant_objects through principal groups", () => {
    const OP = groupId(0x61)
    const OC = groupId(0x62)
    const Dp = makeObject("entity", 0x81, { tenant: T, parent: OP })
    const Dc = makeObject("entity", 0x82, { tenant: T, parent: OC, ancestors: [OP] })
    const Ut = makeSubject(0x57, { tenant: T })
    const PT = groupId(0x45)
    const grants = grantsOf(Ut, {
      principalGroups: [principalGroup(PT, null, { directMember: true })],
      bindings: [
        makeRoleBinding("tree-reader", {
          subjectKind: "group",
          subjectId: PT,
          ...bound(T, {
            scopeMode: "group_descendant_objects",
            groupId: OP,
            objectKind: "entity",
            objectType: "entity:device",
          }),
        }),
      ],
    })
    expect(check(Ut, "read", Dp, grants).allowed).toBe(false)
    expect(check(Ut, "read", Dc, grants).allowed).toBe(true)
    expect(grants[0]?.via).toBe(`group:${PT}`)
  })

  it("73: an action outside the admin block is not covered", () => {
    const A = makeSubject(0x58)
    const grants = grantsOf(A, {
      bindings: ["read", "write", "manage"].map((action) =>
        makeRoleBinding("atom-admin", { subjectId: A.id, action, scopeMode: "platform" }),
      ),
    })
    expect(check(A, "custom.op", makeObject("resource", 1), grants, { applicable: true }).reason).toBe(
      "no matching allow policy",
    )
  })
})
