import type { GrantExpansionInput } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import { ceilingGrants, compileGrants, expandGrants, tenantObject } from "../src/authz/index.js"
import {
  bindingId,
  blockId,
  check,
  groupId,
  makeObject,
  makeSubject,
  makeTenant,
  roleId,
  tenantId,
} from "./fixtures/authzFixtures.js"
import { makeBinding, makeRoleBinding, membership, principalGroup } from "./fixtures/expansionFixtures.js"

const T = makeTenant(0x71)
const U = makeSubject(0x51, { kind: "human" })
const P = groupId(0x41)
const C = groupId(0x42)
const GC = groupId(0x43)

const input = (overrides: Partial<GrantExpansionInput>): GrantExpansionInput => ({
  subject: U,
  principalGroups: [],
  bindings: [],
  memberships: [],
  ...overrides,
})

// U ∈ GC ⊂ C ⊂ P
const chain = [principalGroup(P, null), principalGroup(C, P), principalGroup(GC, C, { directMember: true })]

describe("grant expansion (authz.md §2.4)", () => {
  it("direct policies and role assignments on the entity are `direct`", () => {
    const grants = expandGrants(
      input({
        bindings: [
          makeBinding({ subjectId: U.id, bindingId: bindingId(1) }),
          makeRoleBinding("R", { subjectId: U.id, bindingId: bindingId(2), action: "write" }),
          makeBinding({ subjectId: makeSubject(0x99).id, bindingId: bindingId(3) }),
        ],
      }),
    )
    expect(grants.map((g) => [g.source, g.via, g.roleName, g.action])).toEqual([
      ["direct_policy", "direct", null, "read"],
      ["role_assignment", "direct", "R", "write"],
    ])
  })

  it("one grant per block action, each keeping its block's scope", () => {
    const grants = expandGrants(
      input({
        bindings: ["read", "write", "manage"].map((action) =>
          makeBinding({ subjectId: U.id, action, scopeMode: "tenant", blockTenantId: T.id, tenantId: T.id }),
        ),
      }),
    )
    expect(grants.map((g) => g.action).sort()).toEqual(["manage", "read", "write"])
    expect(grants.every((g) => g.scopeMode === "tenant" && g.scopeTenantId === T.id && g.tenantId === T.id)).toBe(true)
  })

  it("inherits through nested principal groups with the path in `via` (scenario 70)", () => {
    const grants = expandGrants(
      input({
        principalGroups: chain,
        bindings: [
          makeRoleBinding("on-P", { subjectKind: "group", subjectId: P }),
          makeBinding({ subjectKind: "group", subjectId: C, bindingId: bindingId(5) }),
          makeBinding({ subjectKind: "group", subjectId: GC, bindingId: bindingId(6) }),
        ],
      }),
    )
    expect(grants.map((g) => g.via)).toEqual([`group:${GC}`, `group:${C} -> ${GC}`, `group:${P} -> ${C} -> ${GC}`])
    expect(grants[2]?.groupPath).toEqual([P, C, GC])
    expect(grants[2]?.roleName).toBe("on-P")
  })

  it("stops at an inactive or tombstoned group on the chain (scenario 13)", () => {
    for (const broken of [{ status: "inactive" as const }, { status: "suspended" as const }, { deleted: true }]) {
      const groups = [
        principalGroup(P, null),
        principalGroup(C, P, broken),
        principalGroup(GC, C, { directMember: true }),
      ]
      const grants = expandGrants(
        input({
          principalGroups: groups,
          bindings: [
            makeBinding({ subjectKind: "group", subjectId: P, bindingId: bindingId(1) }),
            makeBinding({ subjectKind: "group", subjectId: C, bindingId: bindingId(2) }),
            makeBinding({ subjectKind: "group", subjectId: GC, bindingId: bindingId(3) }),
          ],
        }),
      )
      expect(grants.map((g) => g.bindingId)).toEqual([bindingId(3)])
    }
  })

  it("ignores groups the subject does not reach", () => {
    const grants = expandGrants(
      input({
        principalGroups: [principalGroup(P, null), principalGroup(C, P, { directMember: true })],
        bindings: [makeBinding({ subjectKind: "group", subjectId: GC })],
      }),
    )
    expect(grants).toEqual([])
  })

  it("yields one grant per chain reaching a group", () => {
    const C2 = groupId(0x44)
    const grants = expandGrants(
      input({
        principalGroups: [
          principalGroup(P, null, { directMember: true }),
          principalGroup(C, P, { directMember: true }),
          principalGroup(C2, P, { directMember: true }),
        ],
        bindings: [makeBinding({ subjectKind: "group", subjectId: P })],
      }),
    )
    expect(grants.map((g) => g.via).sort()).toEqual([`group:${P}`, `group:${P} -> ${C}`, `group:${P} -> ${C2}`].sort())
  })

  it("is cycle-safe", () => {
    const grants = expandGrants(
      input({
        principalGroups: [principalGroup(P, GC), principalGroup(C, P), principalGroup(GC, C, { directMember: true })],
        bindings: [makeBinding({ subjectKind: "group", subjectId: P })],
      }),
    )
    expect(grants.map((g) => g.via)).toEqual([`group:${P} -> ${C} -> ${GC}`])
  })

  it("a tombstoned role grants nothing (scenario 37)", () => {
    const rows = [makeRoleBinding("R", { subjectId: U.id, roleDeleted: true })]
    expect(expandGrants(input({ bindings: rows }))).toEqual([])
  })

  it("an active human member of an active tenant may read it (scenario 40)", () => {
    const grants = expandGrants(input({ memberships: [membership(T.id)] }))
    expect(grants).toHaveLength(1)
    expect(grants[0]).toMatchObject({
      source: "tenant_membership",
      via: "tenant_membership",
      scopeMode: "object",
      objectId: T.id,
      tenantId: T.id,
      action: "read",
      effect: "allow",
    })
    expect(check(U, "read", tenantObject(T), grants).reason).toBe("allowed")
    expect(check(U, "manage", tenantObject(T), grants).reason).toBe("no matching allow policy")
    expect(check(U, "read", makeObject("resource", 1, { tenant: T }), grants).reason).toBe("no matching allow policy")
  })

  it("the membership grant needs a human, an active membership and an active live tenant (§6.20)", () => {
    const none = [
      input({ subject: makeSubject(0x52, { kind: "device" }), memberships: [membership(T.id)] }),
      input({ subject: makeSubject(0x52, { status: "suspended" }), memberships: [membership(T.id)] }),
      input({ memberships: [membership(T.id, { status: "invited" })] }),
      input({ memberships: [membership(T.id, { status: "left" })] }),
      input({ memberships: [membership(T.id, { tenantStatus: "frozen" })] }),
      input({ memberships: [membership(T.id, { tenantDeleted: true })] }),
    ]
    for (const i of none) expect(expandGrants(i)).toEqual([])
  })

  it("orders grants independently of row order: own before inherited, policies before roles", () => {
    const rows = [
      makeRoleBinding("inherited", { subjectKind: "group", subjectId: C, bindingId: bindingId(1), effect: "deny" }),
      makeRoleBinding("own", { subjectId: U.id, bindingId: bindingId(2), effect: "deny" }),
      makeBinding({ subjectId: U.id, bindingId: bindingId(3), effect: "deny" }),
    ]
    const groups = [principalGroup(P, null), principalGroup(C, P, { directMember: true })]
    const forward = expandGrants(input({ principalGroups: groups, bindings: rows }))
    const backward = expandGrants(input({ principalGroups: [...groups].reverse(), bindings: [...rows].reverse() }))
    expect(forward).toEqual(backward)
    expect(forward.map((g) => g.bindingId)).toEqual([bindingId(3), bindingId(2), bindingId(1)])
    expect(check(U, "read", makeObject("resource", 1), forward).reason).toBe("explicitly denied by direct policy")
  })

  it("scenario 12/13: a role on P reaches U in C ⊂ P until P is disabled", () => {
    const binding = makeRoleBinding("tenant-manager", {
      subjectKind: "group",
      subjectId: P,
      tenantId: T.id,
      blockTenantId: T.id,
      scopeMode: "tenant",
      action: "manage",
    })
    const r1 = makeObject("resource", 0x91, { tenant: T })
    const live = [principalGroup(P, null), principalGroup(C, P, { directMember: true })]
    expect(check(U, "manage", r1, expandGrants(input({ principalGroups: live, bindings: [binding] }))).reason).toBe(
      "allowed",
    )
    const disabled = [principalGroup(P, null, { status: "inactive" }), principalGroup(C, P, { directMember: true })]
    expect(check(U, "manage", r1, expandGrants(input({ principalGroups: disabled, bindings: [binding] }))).reason).toBe(
      "no matching allow policy",
    )
  })

  it("carries binding ids, block ids, role ids and expiry through", () => {
    const expiresAt = new Date("2030-01-01T00:00:00Z")
    const [grant] = expandGrants(
      input({
        bindings: [
          makeRoleBinding("R", {
            subjectId: U.id,
            bindingId: bindingId(7),
            blockId: blockId(8),
            roleId: roleId(9),
            expiresAt,
          }),
        ],
      }),
    )
    expect(grant).toMatchObject({ bindingId: bindingId(7), blockId: blockId(8), roleId: roleId(9), expiresAt })
    expect(compileGrants(grant === undefined ? [] : [grant]).earliestExpiry).toBe(expiresAt.getTime())
  })
})

describe("ceiling grants", () => {
  it("become allow grants via access_token_ceiling bounded by their tenant", () => {
    const [entry] = ceilingGrants([
      {
        limitId: bindingId(1),
        tenantId: tenantId(0x71),
        scopeMode: "tenant",
        objectKind: null,
        objectType: null,
        objectId: null,
        conditions: {},
        action: "read",
      },
    ])
    expect(entry).toMatchObject({
      source: "access_token_ceiling",
      via: "access_token_ceiling",
      effect: "allow",
      tenantId: tenantId(0x71),
      scopeTenantId: tenantId(0x71),
    })
  })
})
