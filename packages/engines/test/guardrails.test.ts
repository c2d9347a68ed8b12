import type { EntityKind } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import {
  assignmentsOf,
  blockObject,
  blockTargets,
  decideAssignment,
  facetsOf,
  type GuardrailAssignment,
  type GuardrailBlock,
  type GuardrailRule,
  judgeAssignments,
  objectLabel,
  ruleMatches,
  rulePrecedence,
} from "../src/guardrails/index.js"

const T1 = "00000000-0000-4000-8000-0000000000a1"
const T2 = "00000000-0000-4000-8000-0000000000a2"

const rule = (overrides: Partial<GuardrailRule> = {}): GuardrailRule => ({
  tenantId: null,
  entityKind: "device",
  actionName: "manage",
  objectKind: "resource",
  objectType: null,
  decision: "deny",
  isAbsolute: false,
  ...overrides,
})

const assignment = (overrides: Partial<GuardrailAssignment> = {}): GuardrailAssignment => ({
  entityKind: "device",
  action: "manage",
  objectKind: "resource",
  objectType: null,
  tenantId: null,
  ...overrides,
})

const block = (overrides: Partial<GuardrailBlock> = {}): GuardrailBlock => ({
  scopeMode: "object_kind",
  objectKind: "resource",
  objectType: null,
  target: null,
  actions: ["manage"],
  covers: [],
  ...overrides,
})

// The seeded global rules of 0008_seed.sql that these tests lean on.
const seeded: ReadonlyArray<GuardrailRule> = [
  rule({ decision: "deny", isAbsolute: true }),
  rule({ actionName: "delete", isAbsolute: true }),
  rule({ actionName: "write", isAbsolute: true }),
  rule({ entityKind: "human", decision: "allow" }),
  rule({ entityKind: "human", objectKind: "entity", decision: "allow" }),
  rule({ entityKind: "service", decision: "allow" }),
]

describe("rule precedence (authz.md §3.4 step 3)", () => {
  it("ranks absolute deny 50 > absolute override 45 > tenant deny/override/allow 40/35/30 > global 20/15/10", () => {
    expect(rulePrecedence(rule({ decision: "deny", isAbsolute: true }))).toBe(50)
    expect(rulePrecedence(rule({ decision: "deny", isAbsolute: true, tenantId: T1 }))).toBe(50)
    expect(rulePrecedence(rule({ decision: "require_override", isAbsolute: true }))).toBe(45)
    expect(rulePrecedence(rule({ decision: "deny", tenantId: T1 }))).toBe(40)
    expect(rulePrecedence(rule({ decision: "require_override", tenantId: T1 }))).toBe(35)
    expect(rulePrecedence(rule({ decision: "allow", tenantId: T1 }))).toBe(30)
    expect(rulePrecedence(rule({ decision: "deny" }))).toBe(20)
    expect(rulePrecedence(rule({ decision: "require_override" }))).toBe(15)
    expect(rulePrecedence(rule({ decision: "allow" }))).toBe(10)
    // an absolute allow is only as strong as its tenant/global allow
    expect(rulePrecedence(rule({ decision: "allow", isAbsolute: true }))).toBe(10)
  })

  it("every pair of precedence levels is decided by the higher one", () => {
    const levels: ReadonlyArray<GuardrailRule> = [
      rule({ decision: "allow" }),
      rule({ decision: "require_override" }),
      rule({ decision: "deny" }),
      rule({ decision: "allow", tenantId: T1 }),
      rule({ decision: "require_override", tenantId: T1 }),
      rule({ decision: "deny", tenantId: T1 }),
      rule({ decision: "require_override", isAbsolute: true }),
      rule({ decision: "deny", isAbsolute: true }),
    ]
    const target = assignment({ tenantId: T1 })
    levels.forEach((low, i) => {
      for (const high of levels.slice(i + 1)) {
        expect(decideAssignment(target, [low, high], "allow").rule).toBe(high)
        expect(decideAssignment(target, [high, low], "allow").rule).toBe(high)
      }
    })
  })
})

describe("rule matching", () => {
  it("needs the same entity kind, action and object kind", () => {
    expect(ruleMatches(rule(), assignment())).toBe(true)
    expect(ruleMatches(rule(), assignment({ entityKind: "human" }))).toBe(false)
    expect(ruleMatches(rule(), assignment({ action: "read" }))).toBe(false)
    expect(ruleMatches(rule(), assignment({ objectKind: "entity" }))).toBe(false)
  })

  it("a typeless rule covers every type; a typed rule only its own type", () => {
    expect(ruleMatches(rule(), assignment({ objectType: "resource:channel" }))).toBe(true)
    const typed = rule({ objectType: "resource:channel" })
    expect(ruleMatches(typed, assignment({ objectType: "resource:channel" }))).toBe(true)
    expect(ruleMatches(typed, assignment({ objectType: "resource:rule" }))).toBe(false)
    expect(ruleMatches(typed, assignment({ objectType: null }))).toBe(false)
  })

  it("a tenant rule applies only to assignments bounded to its tenant; a global rule to all", () => {
    const tenantRule = rule({ tenantId: T1 })
    expect(ruleMatches(tenantRule, assignment({ tenantId: T1 }))).toBe(true)
    expect(ruleMatches(tenantRule, assignment({ tenantId: T2 }))).toBe(false)
    expect(ruleMatches(tenantRule, assignment({ tenantId: null }))).toBe(false)
    expect(ruleMatches(rule(), assignment({ tenantId: T2 }))).toBe(true)
  })
})

describe("deciding an assignment", () => {
  it("the seeded absolute deny beats an allow for device × manage on resource", () => {
    const withAllow = [...seeded, rule({ decision: "allow", tenantId: T1 })]
    expect(decideAssignment(assignment({ tenantId: T1 }), withAllow, "allow").decision).toBe("deny")
  })

  it("a tenant deny beats a global allow, but only in its tenant", () => {
    const rules = [rule({ entityKind: "human", decision: "allow" }), rule({ entityKind: "human", tenantId: T1 })]
    expect(decideAssignment(assignment({ entityKind: "human", tenantId: T1 }), rules, "allow").decision).toBe("deny")
    expect(decideAssignment(assignment({ entityKind: "human", tenantId: T2 }), rules, "deny").decision).toBe("allow")
  })

  it("with no matching rule the fallback decides: allow (reference) or deny (configured)", () => {
    const unmatched = assignment({ entityKind: "workload", action: "publish", objectType: "resource:channel" })
    expect(decideAssignment(unmatched, seeded, "allow")).toEqual({ decision: "allow", rule: null })
    expect(decideAssignment(unmatched, seeded, "deny")).toEqual({ decision: "deny", rule: null })
    // an explicit allow still allows under deny-by-default
    expect(decideAssignment(assignment({ entityKind: "human" }), seeded, "deny").decision).toBe("allow")
  })
})

describe("judging a write", () => {
  it("names the first rejected assignment with the wire message", () => {
    const verdict = judgeAssignments(
      [assignment({ entityKind: "human" }), assignment(), assignment({ action: "delete" })],
      seeded,
      "allow",
    )
    expect(verdict).toMatchObject({
      _tag: "Rejected",
      message: "guardrail rejected device receiving manage on resource",
    })
  })

  it("typed assignments are labelled once, never `resource:resource:channel` (§6.4 fixed)", () => {
    const verdict = judgeAssignments([assignment({ objectType: "resource:channel" })], seeded, "allow")
    expect(verdict).toMatchObject({ message: "guardrail rejected device receiving manage on resource:channel" })
    expect(objectLabel({ objectKind: "resource", objectType: "channel" })).toBe("resource:channel")
    expect(objectLabel({ objectKind: "platform", objectType: null })).toBe("platform")
  })

  it("require_override refuses with its own message; a deny anywhere wins over it", () => {
    const override = rule({ entityKind: "service", actionName: "read", decision: "require_override" })
    const needsOverride = assignment({ entityKind: "service", action: "read" })
    expect(judgeAssignments([needsOverride], [override], "allow")).toMatchObject({
      _tag: "RequiresOverride",
      message: "guardrail requires override for service receiving read",
    })
    expect(judgeAssignments([needsOverride, assignment()], [override, ...seeded], "allow")).toMatchObject({
      _tag: "Rejected",
    })
  })

  it("allows an empty write and an all-allowed one", () => {
    expect(judgeAssignments([], seeded, "deny")).toEqual({ _tag: "Allowed" })
    expect(judgeAssignments([assignment({ entityKind: "service" })], seeded, "deny")).toEqual({ _tag: "Allowed" })
  })
})

describe("what a block hands out (§3.4 step 2)", () => {
  it("maps each scope mode to its guardrail object", () => {
    expect(blockObject(block({ scopeMode: "platform", objectKind: null }))).toEqual({
      objectKind: "platform",
      objectType: null,
    })
    expect(blockObject(block({ scopeMode: "tenant", objectKind: null }))).toEqual({
      objectKind: "tenant",
      objectType: null,
    })
    expect(blockObject(block())).toEqual({ objectKind: "resource", objectType: null })
    expect(blockObject(block({ scopeMode: "object_type", objectType: "resource:channel" }))).toEqual({
      objectKind: "resource",
      objectType: "resource:channel",
    })
    for (const scopeMode of ["group_direct_objects", "group_descendant_objects"] as const) {
      expect(blockObject(block({ scopeMode, objectKind: "entity", objectType: "entity:device" }))).toEqual({
        objectKind: "entity",
        objectType: "entity:device",
      })
    }
    for (const scopeMode of ["group", "group_child_groups", "group_descendant_groups"] as const) {
      expect(blockObject(block({ scopeMode, objectKind: null }))).toEqual({ objectKind: "group", objectType: null })
    }
    expect(
      blockObject(
        block({ scopeMode: "object", objectKind: null, target: { kind: "resource", type: "resource:rule" } }),
      ),
    ).toEqual({ objectKind: "resource", objectType: "resource:rule" })
    expect(blockObject(block({ scopeMode: "object", objectKind: null, target: null }))).toEqual({
      objectKind: "object",
      objectType: null,
    })
  })

  it("expands holders × kinds × block actions once each, under each holder's boundary", () => {
    const kinds: ReadonlyArray<EntityKind> = ["human", "device"]
    const out = assignmentsOf(
      [
        { tenantId: T1, entityKinds: kinds },
        { tenantId: T1, entityKinds: ["device"] },
        { tenantId: T2, entityKinds: ["device"] },
      ],
      [block({ actions: ["read", "manage"] }), block({ actions: ["read"] })],
    )
    expect(out).toEqual([
      { entityKind: "human", tenantId: T1, action: "read", objectKind: "resource", objectType: null },
      { entityKind: "human", tenantId: T1, action: "manage", objectKind: "resource", objectType: null },
      { entityKind: "device", tenantId: T1, action: "read", objectKind: "resource", objectType: null },
      { entityKind: "device", tenantId: T1, action: "manage", objectKind: "resource", objectType: null },
      { entityKind: "device", tenantId: T2, action: "read", objectKind: "resource", objectType: null },
      { entityKind: "device", tenantId: T2, action: "manage", objectKind: "resource", objectType: null },
    ])
  })

  it("a platform or tenant block is judged on every kind its actions apply to (§6.2 fixed)", () => {
    const covers = [
      { action: "manage", objectKind: "entity", objectType: null },
      { action: "manage", objectKind: "resource", objectType: null },
      { action: "manage", objectKind: "tenant", objectType: null },
      { action: "publish", objectKind: "resource", objectType: "resource:channel" },
    ]
    for (const scopeMode of ["tenant", "platform"] as const) {
      const wide = block({ scopeMode, objectKind: null, actions: ["manage", "publish", "authz.check"], covers })
      expect(blockTargets(wide)).toEqual([
        { action: "manage", objectKind: "entity", objectType: null },
        { action: "manage", objectKind: "resource", objectType: null },
        { action: "manage", objectKind: "tenant", objectType: null },
        { action: "publish", objectKind: "resource", objectType: "resource:channel" },
        // an action that applies nowhere keeps the scope's pseudo-kind
        { action: "authz.check", objectKind: scopeMode, objectType: null },
      ])
      const out = assignmentsOf([{ tenantId: T1, entityKinds: ["device"] }], [wide])
      expect(judgeAssignments(out, seeded, "allow")).toMatchObject({
        _tag: "Rejected",
        message: "guardrail rejected device receiving manage on resource",
      })
      const human = assignmentsOf([{ tenantId: T1, entityKinds: ["human"] }], [wide])
      expect(judgeAssignments(human, seeded, "allow")).toEqual({ _tag: "Allowed" })
    }
  })

  it("a kind-wide assignment is also judged by the typed rules of that kind", () => {
    const typedDeny = rule({ entityKind: "service", actionName: "execute", objectType: "resource:rule" })
    const typedAllow = rule({
      entityKind: "device",
      actionName: "manage",
      objectType: "resource:channel",
      decision: "allow",
      tenantId: T1,
    })
    const wide = (entityKind: EntityKind, action: string) => assignment({ entityKind, action, tenantId: T1 })
    expect(facetsOf(wide("service", "execute"), [typedDeny])).toEqual([
      wide("service", "execute"),
      { ...wide("service", "execute"), objectType: "resource:rule" },
    ])
    expect(judgeAssignments([wide("service", "execute")], [typedDeny], "allow")).toMatchObject({
      message: "guardrail rejected service receiving execute on resource:rule",
    })
    // a typed grant of another type is not touched by it
    expect(
      judgeAssignments([{ ...wide("service", "execute"), objectType: "resource:report" }], [typedDeny], "allow"),
    ).toEqual({ _tag: "Allowed" })
    // a typed allow does not lift the kind-wide absolute deny
    expect(judgeAssignments([wide("device", "manage")], [...seeded, typedAllow], "allow")).toMatchObject({
      _tag: "Rejected",
      message: "guardrail rejected device receiving manage on resource",
    })
  })
})
