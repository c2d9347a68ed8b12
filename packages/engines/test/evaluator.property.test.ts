import {
  type Decision,
  type EvaluationMode,
  Grant,
  GroupId,
  type ResolvedObject,
  ResolvedObject as ResolvedObjectSchema,
  Subject,
  type Subject as SubjectType,
  TenantId,
} from "@atom/domain/authz"
// effect's bundled fast-check, because Arbitrary.make(Schema) produces its arbitraries.
import { Arbitrary, FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { compileGrant, compileGrants, evaluate, grantCoversObject, isActionApplicable } from "../src/authz/index.js"
import { applicability, NOW } from "./fixtures/authzFixtures.js"
import {
  buildCatalogue,
  type Catalogue,
  CHECK_ACTIONS,
  type ConditionForm,
  checkAction,
  contexts,
  engineGrants,
  type ModelBinding,
  type ModelBlock,
  type ModelGroup,
  type ModelObject,
  objectChoice,
  objectIndex,
  pick,
  rawCatalogue,
  SUBJECT_ID,
} from "./fixtures/randomCatalogue.js"

// ───────────────────────── reference model ─────────────────────────
// Written straight from authz.md §2 with no compilation, indexing or ordering, to be obviously right.

interface RefGrant {
  readonly effect: "allow" | "deny"
  readonly action: string
  readonly boundary: string | null
  readonly block: Pick<ModelBlock, "tenant" | "scopeMode" | "objectKind" | "objectType" | "objectId" | "groupId">
  readonly conditions: ConditionForm
  readonly expiresAt: Date | null
  readonly denyReason: string
}

const isUsableGroup = (g: { readonly status: string; readonly deleted: boolean }) => g.status === "active" && !g.deleted

/** The subject inherits from `target` when a chain of usable groups leads from a direct membership up to it. */
const inheritsFrom = (cat: Catalogue, target: number): boolean =>
  cat.memberOf.some((start) => {
    for (let i: number | null = start, steps = 0; i !== null && steps <= cat.principalGroups.length; steps++) {
      const group: Catalogue["principalGroups"][number] = pick(cat.principalGroups, i)
      if (!isUsableGroup(group)) return false
      if (i === target) return true
      i = group.parent
    }
    return false
  })

const refGrants = (cat: Catalogue, subject: SubjectType): Array<RefGrant> => {
  const grants: Array<RefGrant> = []
  const add = (binding: ModelBinding, block: ModelBlock, roleName: string | null) => {
    for (const action of block.actions) {
      grants.push({
        effect: block.effect,
        action,
        boundary: binding.boundary,
        block,
        conditions: block.conditions,
        expiresAt: binding.expiresAt,
        denyReason:
          roleName === null ? "explicitly denied by direct policy" : `explicitly denied by role '${roleName}' block`,
      })
    }
  }
  for (const binding of cat.bindings) {
    const reaches =
      binding.subject.kind === "entity" ? binding.subject.id === subject.id : inheritsFrom(cat, binding.subject.index)
    if (!reaches) continue
    if (binding.role !== null) {
      const role = pick(cat.roles, binding.role)
      if (role.deleted) continue
      for (const index of role.blocks) add(binding, pick(cat.blocks, index), role.name)
    } else if (binding.block !== null) {
      add(binding, pick(cat.blocks, binding.block), null)
    }
  }
  if (subject.kind === "human" && subject.status === "active") {
    for (const m of cat.memberships) {
      const tenant = pick(cat.tenants, m.tenant)
      if (m.status !== "active" || tenant.status !== "active" || tenant.deleted) continue
      grants.push({
        effect: "allow",
        action: "read",
        boundary: tenant.id,
        block: {
          tenant: tenant.id,
          scopeMode: "object",
          objectKind: "tenant",
          objectType: null,
          objectId: tenant.id,
          groupId: null,
        },
        conditions: "none",
        expiresAt: null,
        denyReason: "explicitly denied by direct policy",
      })
    }
  }
  return grants
}

const typeOf = (o: ResolvedObject) => `${o.kind}:${o.subKind}`

/** Group ids from `start` upward through `groups`, `start` included. */
const chainUp = (groups: ReadonlyArray<ModelGroup>, start: number | null): Array<string> => {
  const ids: Array<string> = []
  for (let i = start; i !== null; i = pick(groups, i).parent) ids.push(pick(groups, i).id)
  return ids
}

const treeOf = (cat: Catalogue, mo: ModelObject): ReadonlyArray<ModelGroup> =>
  mo.tree === "object" ? cat.objectGroups : cat.principalGroups

const covers = (cat: Catalogue, block: RefGrant["block"], mo: ModelObject, o: ResolvedObject): boolean => {
  const G = block.groupId
  const containable = o.kind === "entity" || o.kind === "resource"
  const kindAndType =
    (block.objectKind === null || o.kind === block.objectKind) &&
    (block.objectType === null || typeOf(o) === block.objectType)
  // For a group object: its parent and everything above it in its own tree.
  const groupAbove = mo.treeIndex === null ? [] : chainUp(treeOf(cat, mo), pick(treeOf(cat, mo), mo.treeIndex).parent)
  // For a contained object: its container and everything above it.
  const containers = mo.container === null ? [] : chainUp(cat.objectGroups, mo.container)
  switch (block.scopeMode) {
    case "platform":
      return true
    case "tenant":
      return block.tenant !== null && o.tenant?.id === block.tenant
    case "object_kind":
      return o.kind === block.objectKind
    case "object_type":
      return block.objectType?.includes(":") === true && typeOf(o) === block.objectType
    case "object":
      return o.id === block.objectId
    case "group":
      return G !== null && o.kind === "group" && o.id === G
    case "group_direct_objects":
      return G !== null && containable && kindAndType && containers[0] === G
    case "group_descendant_objects":
      return G !== null && containable && kindAndType && containers.slice(1).includes(G)
    case "group_child_groups":
      return G !== null && o.kind === "group" && groupAbove[0] === G
    case "group_descendant_groups":
      return G !== null && o.kind === "group" && groupAbove.includes(G)
  }
}

const conditionHolds = (form: ConditionForm, subject: SubjectType, o: ResolvedObject, context: unknown): boolean => {
  const level = o.attributes.level
  switch (form) {
    case "none":
      return true
    case "mfa":
      return typeof context === "object" && context !== null && "mfa" in context && context.mfa === true
    case "level":
      return typeof level === "number" && level >= 2
    case "department":
      return subject.attributes.department === "ops"
    case "tier":
      return o.tenant !== null && o.tenant.attributes.tier === "gold"
    case "unknownOperator":
    case "notAnObject":
      return false
  }
}

const applies = (
  cat: Catalogue,
  g: RefGrant,
  mo: ModelObject,
  o: ResolvedObject,
  check: RefCheck,
  subject: SubjectType,
): boolean => {
  if (g.expiresAt !== null && NOW >= g.expiresAt.getTime()) return false
  if (g.boundary !== null && o.tenant?.id !== g.boundary) return false
  if (!covers(cat, g.block, mo, o)) return false
  if (g.action !== check.action) return false
  if (check.mode === "gate") return g.effect === "deny" || g.conditions === "none"
  return conditionHolds(g.conditions, subject, o, check.context)
}

const refApplicable = (action: string, o: ResolvedObject): boolean => {
  switch (action) {
    case "read":
      return ["entity", "resource", "group", "tenant", "credential"].includes(o.kind)
    case "write":
      return ["entity", "resource", "group"].includes(o.kind)
    case "manage":
      return ["tenant", "entity", "resource", "group"].includes(o.kind)
    case "publish":
      return typeOf(o) === "resource:channel"
    default:
      return false
  }
}

interface RefCheck {
  readonly object: number
  readonly action: string
  readonly context: unknown
  readonly mode: EvaluationMode
}

interface RefDecision {
  readonly allowed: boolean
  /** every reason the engine may give (several only when several denies apply) */
  readonly reasons: ReadonlySet<string>
}

const ref = (reason: string, allowed = false): RefDecision => ({ allowed, reasons: new Set([reason]) })

const refDecide = (cat: Catalogue, check: RefCheck): RefDecision => {
  const subject = cat.subject
  if (subject === null) return ref("subject not found")
  if (subject.status !== "active") return ref("subject is not active")
  const mo = pick(cat.objects, check.object)
  const o = mo.resolved
  if ("notFound" in o) return ref(`${o.notFound} not found`)
  if (o.tenant?.deleted === true) return ref("tenant is deleted")
  if (o.tenant !== null && o.tenant.status !== "active") return ref(`tenant is ${o.tenant.status}`)
  if (!refApplicable(check.action, o)) return ref(`unknown action '${check.action}'`)
  const matching = refGrants(cat, subject).filter((g) => applies(cat, g, mo, o, check, subject))
  const denies = matching.filter((g) => g.effect === "deny")
  if (denies.length > 0) return { allowed: false, reasons: new Set(denies.map((g) => g.denyReason)) }
  if (!matching.some((g) => g.effect === "allow")) return ref("no matching allow policy")
  if (cat.ceiling !== null) {
    const entries = cat.ceiling.map(
      (c): RefGrant => ({
        effect: "allow",
        action: c.action,
        boundary: c.tenantId,
        block: { ...c, tenant: c.tenantId, groupId: null },
        conditions:
          typeof c.conditions === "object" && c.conditions !== null && "context.mfa" in c.conditions ? "mfa" : "none",
        expiresAt: null,
        denyReason: "",
      }),
    )
    if (!entries.some((e) => applies(cat, e, mo, o, check, subject))) {
      return ref("denied by access token permission ceiling")
    }
  }
  return ref("allowed", true)
}

// ───────────────────────── engine under test ─────────────────────────

const engineDecide = (
  cat: Catalogue,
  check: RefCheck,
  grants: ReadonlyArray<Grant>,
  ceiling: ReadonlyArray<Grant> | null,
  explain = false,
): Decision => {
  const object = pick(cat.objects, check.object).resolved
  return evaluate({
    subject: cat.subject,
    object,
    action: check.action,
    actionApplicable: !("notFound" in object) && isActionApplicable(applicability, check.action, object),
    grants: compileGrants(grants),
    ceiling: ceiling === null ? null : compileGrants(ceiling),
    context: check.context,
    mode: check.mode,
    now: NOW,
    explain,
  })
}

const checkArb = fc.record({
  object: objectChoice,
  action: checkAction,
  context: contexts,
  mode: fc.constantFrom<EvaluationMode>("runtime", "gate"),
})

const world = fc
  .tuple(rawCatalogue.map(buildCatalogue), checkArb)
  .map(([cat, check]): [Catalogue, RefCheck] => [cat, { ...check, object: objectIndex(cat, check.object) }])

const RUNS = { numRuns: 600 }

const objectTenantOf = (cat: Catalogue, check: RefCheck): string | null => {
  const o = pick(cat.objects, check.object).resolved
  return "notFound" in o || o.tenant === null ? null : o.tenant.id
}

describe("the engine agrees with the reference model", () => {
  it("on random catalogues and checks, in runtime and gate mode", () => {
    fc.assert(
      fc.property(world, ([cat, check]) => {
        const { grants, ceiling } = engineGrants(cat)
        const actual = engineDecide(cat, check, grants, ceiling)
        const expected = refDecide(cat, check)
        expect(actual.allowed).toBe(expected.allowed)
        expect([...expected.reasons]).toContain(actual.reason)
      }),
      RUNS,
    )
  })

  it("explain reaches the same decision as the fast path", () => {
    fc.assert(
      fc.property(world, ([cat, check]) => {
        const { grants, ceiling } = engineGrants(cat)
        const fast = engineDecide(cat, check, grants, ceiling)
        const slow = engineDecide(cat, check, grants, ceiling, true)
        expect([slow.allowed, slow.code, slow.reason, slow.decidingGrant]).toEqual([
          fast.allowed,
          fast.code,
          fast.reason,
          fast.decidingGrant,
        ])
        if (slow.evaluated.length > 0) expect(slow.evaluated.length).toBeGreaterThanOrEqual(grants.length)
      }),
      RUNS,
    )
  })

  it("gate mode is fail-closed: what a gate allows, runtime allows in any context", () => {
    fc.assert(
      fc.property(world, contexts, ([cat, check], context) => {
        const { grants, ceiling } = engineGrants(cat)
        const gated = engineDecide(cat, { ...check, mode: "gate" }, grants, ceiling)
        const runtime = engineDecide(cat, { ...check, mode: "runtime", context }, grants, ceiling)
        if (gated.allowed) expect(runtime.allowed).toBe(true)
      }),
      RUNS,
    )
  })
})

describe("scope matching agrees with the reference for every block and object", () => {
  it("boundary and scope, all modes", () => {
    fc.assert(
      fc.property(rawCatalogue.map(buildCatalogue), (cat) => {
        for (const block of cat.blocks) {
          for (const boundary of [null, ...cat.tenants.map((t) => t.id)]) {
            const compiled = compileGrant({
              source: "direct_policy",
              via: "direct",
              groupPath: [],
              bindingId: null,
              blockId: null,
              roleId: null,
              roleName: null,
              tenantId: boundary === null ? null : TenantId.make(boundary),
              scopeTenantId: block.tenant === null ? null : TenantId.make(block.tenant),
              scopeMode: block.scopeMode,
              objectKind: block.objectKind,
              objectType: block.objectType,
              objectId: block.objectId,
              groupId: block.groupId === null ? null : GroupId.make(block.groupId),
              action: "read",
              effect: block.effect,
              conditions: {},
              expiresAt: null,
            })
            for (const mo of cat.objects) {
              const o = mo.resolved
              if ("notFound" in o) continue
              const expected = (boundary === null || o.tenant?.id === boundary) && covers(cat, block, mo, o)
              expect(grantCoversObject(compiled, o)).toBe(expected)
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe("monotonicity", () => {
  const extraDeny = fc.record({
    block: fc.record({
      scopeMode: fc.constantFrom<ModelBlock["scopeMode"]>(
        "platform",
        "tenant",
        "object_kind",
        "object",
        "group_descendant_groups",
      ),
      tenant: fc.constantFrom<number | null>(null, 0, 1),
      objectKind: fc.constantFrom("resource", "entity", "group", "tenant"),
      objectRef: fc.nat(),
      conditions: fc.constantFrom<ConditionForm>("none", "mfa", "notAnObject"),
      action: fc.constantFrom(...CHECK_ACTIONS),
    }),
    onGroup: fc.option(fc.nat(), { nil: null }),
    boundary: fc.constantFrom<number | null>(null, 0, 1),
  })

  it("adding a deny never turns a deny into an allow", () => {
    fc.assert(
      fc.property(world, extraDeny, ([cat, check], extra) => {
        const objects = cat.objects.flatMap((mo) =>
          "notFound" in mo.resolved || mo.resolved.id === null ? [] : [mo.resolved.id],
        )
        const tenant = (i: number | null) => (i === null ? null : pick(cat.tenants, i).id)
        const block: ModelBlock = {
          id: "00000000-0000-4000-8000-00000000ffff",
          tenant: tenant(extra.block.tenant),
          scopeMode: extra.block.scopeMode,
          objectKind: extra.block.objectKind,
          objectType: null,
          objectId: objects.length === 0 ? null : pick(objects, extra.block.objectRef),
          groupId: cat.objectGroups.length === 0 ? null : pick(cat.objectGroups, extra.block.objectRef).id,
          effect: "deny",
          conditions: extra.block.conditions,
          actions: [extra.block.action],
        }
        const binding: ModelBinding = {
          id: "00000000-0000-4000-8000-00000000fffe",
          source: "direct_policy",
          subject:
            extra.onGroup === null || cat.principalGroups.length === 0
              ? { kind: "entity", id: SUBJECT_ID }
              : { kind: "group", index: extra.onGroup % cat.principalGroups.length },
          boundary: tenant(extra.boundary),
          role: null,
          block: cat.blocks.length,
          expiresAt: null,
        }
        const before = engineGrants(cat)
        const withDeny: Catalogue = { ...cat, blocks: [...cat.blocks, block], bindings: [...cat.bindings, binding] }
        const after = engineGrants(withDeny)
        const was = engineDecide(cat, check, before.grants, before.ceiling)
        const now = engineDecide(withDeny, check, after.grants, after.ceiling)
        if (!was.allowed) expect(now.allowed).toBe(false)
        expect(refDecide(withDeny, check).allowed).toBe(now.allowed)
      }),
      RUNS,
    )
  })

  it("removing an assignment that holds only allows never adds access", () => {
    fc.assert(
      fc.property(world, fc.nat(), ([cat, check], which) => {
        if (cat.bindings.length === 0) return
        const index = which % cat.bindings.length
        const removed = pick(cat.bindings, index)
        const blocks =
          removed.role !== null
            ? pick(cat.roles, removed.role).blocks.map((b) => pick(cat.blocks, b))
            : removed.block === null
              ? []
              : [pick(cat.blocks, removed.block)]
        if (blocks.some((b) => b.effect === "deny")) return
        const without: Catalogue = { ...cat, bindings: cat.bindings.filter((_, i) => i !== index) }
        const before = engineGrants(cat)
        const after = engineGrants(without)
        const was = engineDecide(cat, check, before.grants, before.ceiling)
        const now = engineDecide(without, check, after.grants, after.ceiling)
        if (now.allowed) expect(was.allowed).toBe(true)
      }),
      RUNS,
    )
  })
})

describe("tenant boundaries", () => {
  it("a grant bounded to tenant A never decides a check on an object outside A", () => {
    fc.assert(
      fc.property(world, ([cat, check]) => {
        const { grants, ceiling } = engineGrants(cat)
        const objectTenant = objectTenantOf(cat, check)
        const decision = engineDecide(cat, check, grants, ceiling, true)
        const inBounds = (g: Grant) => g.tenantId === null || g.tenantId === objectTenant
        if (decision.decidingGrant !== null) expect(inBounds(decision.decidingGrant)).toBe(true)
        for (const e of decision.evaluated) if (e.result === "matched") expect(inBounds(e.grant)).toBe(true)
        // removing every grant bounded elsewhere changes nothing
        const kept = engineDecide(cat, check, grants.filter(inBounds), ceiling)
        expect([kept.allowed, kept.reason]).toEqual([decision.allowed, decision.reason])
      }),
      RUNS,
    )
  })
})

describe("robustness over schema-derived inputs", () => {
  const grantsArb = fc.array(Arbitrary.make(Grant), { maxLength: 8 })
  const objectArb = Arbitrary.make(ResolvedObjectSchema)
  const subjectArb = Arbitrary.make(Subject)
  const anyContext = fc.oneof(fc.constant(undefined), fc.jsonValue(), contexts)

  it("never throws; explain agrees with the fast path; boundaries hold", () => {
    fc.assert(
      fc.property(
        subjectArb,
        objectArb,
        grantsArb,
        fc.option(grantsArb, { nil: null }),
        fc.constantFrom(...CHECK_ACTIONS),
        anyContext,
        fc.constantFrom<EvaluationMode>("runtime", "gate"),
        (subject, object, grants, ceiling, action, context, mode) => {
          // Point some grants at the object so that scopes actually match sometimes.
          const aimed = grants.map((g, i) =>
            i % 2 === 0 ? { ...g, action, objectId: object.id, tenantId: i % 4 === 0 ? null : g.tenantId } : g,
          )
          const input = {
            subject,
            object,
            action,
            actionApplicable: true,
            grants: compileGrants(aimed),
            ceiling: ceiling === null ? null : compileGrants(ceiling),
            context,
            mode,
            now: NOW,
          }
          const fast = evaluate(input)
          const slow = evaluate({ ...input, explain: true })
          expect([slow.allowed, slow.code, slow.reason, slow.decidingGrant]).toEqual([
            fast.allowed,
            fast.code,
            fast.reason,
            fast.decidingGrant,
          ])
          const tenant = object.tenant?.id ?? null
          if (fast.decidingGrant !== null) {
            expect(fast.decidingGrant.tenantId === null || fast.decidingGrant.tenantId === tenant).toBe(true)
          }
          if (mode === "gate" && fast.allowed) {
            expect(evaluate({ ...input, mode: "runtime" }).allowed).toBe(true)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
