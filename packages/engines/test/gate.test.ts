import type { Grant, TenantState } from "@atom/domain/authz"
import { describe, expect, it } from "vitest"
import { compileGrants, type GateAlternative, type GateScope, gate } from "../src/authz/index.js"
import { makeGrant, makeObject, makeRoleGrant, makeSubject, makeTenant, NOW } from "./fixtures/authzFixtures.js"

const T = makeTenant(0x71)
const T2 = makeTenant(0x72)
const U = makeSubject(0x51, { kind: "human" })

const platform: GateScope = { _tag: "Platform" }
const tenant = (t: TenantState): GateScope => ({ _tag: "Tenant", tenant: t })

const tenantScoped = (action: string, overrides: Partial<Grant> = {}): Grant =>
  makeGrant({ action, scopeMode: "tenant", tenantId: T.id, scopeTenantId: T.id, ...overrides })

const run = (
  grants: ReadonlyArray<Grant>,
  alternatives: ReadonlyArray<GateAlternative>,
  options: { subject?: typeof U; subjectTenant?: TenantState | null; ceiling?: ReadonlyArray<Grant> } = {},
) =>
  gate({
    subject: options.subject ?? U,
    subjectTenant: options.subjectTenant ?? null,
    alternatives,
    grants: compileGrants(grants),
    ceiling: options.ceiling === undefined ? null : compileGrants(options.ceiling),
    now: NOW,
  })

// createEntity in T: manage/write @Tenant(T)
const createEntityIn = (t: TenantState): ReadonlyArray<GateAlternative> => [
  { action: "manage", scope: tenant(t) },
  { action: "write", scope: tenant(t) },
]

describe("admin gate (authz.md §3.1) through the one evaluator", () => {
  it("tenant-scope manage passes Tenant(T), not Tenant(T2) or Platform (scenarios 45–47)", () => {
    const grants = [tenantScoped("manage")]
    expect(run(grants, createEntityIn(T))).toEqual({ allowed: true, action: "manage" })
    expect(run(grants, createEntityIn(T2)).allowed).toBe(false)
    expect(run(grants, [{ action: "manage", scope: platform }]).allowed).toBe(false)
  })

  it("write @Tenant passes although write is not applicable to tenants", () => {
    expect(run([tenantScoped("write")], createEntityIn(T))).toEqual({ allowed: true, action: "write" })
  })

  it("platform grants pass every scope; bounded grants never pass Platform", () => {
    expect(run([makeGrant({ action: "manage" })], [{ action: "manage", scope: platform }]).allowed).toBe(true)
    expect(run([makeGrant({ action: "manage" })], createEntityIn(T)).allowed).toBe(true)
    expect(
      run([makeGrant({ action: "manage", tenantId: T.id })], [{ action: "manage", scope: platform }]).allowed,
    ).toBe(false)
  })

  it("ignores conditional allows (scenario 42)", () => {
    expect(run([tenantScoped("manage", { conditions: { "context.mfa": true } })], createEntityIn(T)).allowed).toBe(
      false,
    )
  })

  it("applies conditional denies (scenario 43) and unconditional ones (scenario 44)", () => {
    const conditionalDeny = tenantScoped("manage", { effect: "deny", conditions: { "context.mfa": true } })
    expect(run([tenantScoped("manage"), conditionalDeny], createEntityIn(T)).allowed).toBe(false)
    expect(run([makeRoleGrant("deny-only", { effect: "deny", action: "manage" })], createEntityIn(T)).allowed).toBe(
      false,
    )
  })

  it("a deny at one scope of an action fails that action at every scope; other actions may still pass", () => {
    const grants = [
      makeGrant({ action: "manage" }),
      tenantScoped("manage", { effect: "deny" }),
      makeGrant({ action: "write", tenantId: T.id }),
    ]
    const alternatives: ReadonlyArray<GateAlternative> = [
      { action: "manage", scope: platform },
      { action: "manage", scope: tenant(T) },
    ]
    expect(run(grants, alternatives).allowed).toBe(false)
    expect(run(grants, [...alternatives, { action: "write", scope: tenant(T) }])).toEqual({
      allowed: true,
      action: "write",
    })
  })

  it("drops tenant scopes whose tenant is not usable", () => {
    const grants = [makeGrant({ action: "manage" })]
    for (const t of [makeTenant(0x71, "frozen"), makeTenant(0x71, "inactive"), makeTenant(0x71, "active", true)]) {
      expect(run(grants, createEntityIn(t)).allowed).toBe(false)
      expect(run(grants, [...createEntityIn(t), { action: "manage", scope: platform }]).allowed).toBe(true)
    }
  })

  it("Object(o) counts exact-object and platform grants bounded to o's tenant", () => {
    const o = makeObject("entity", 0x81, { tenant: T })
    const objectScope: GateScope = { _tag: "Object", object: o }
    expect(
      run(
        [makeGrant({ action: "manage", scopeMode: "object", objectId: o.id, tenantId: T.id })],
        [{ action: "manage", scope: objectScope }],
      ).allowed,
    ).toBe(true)
    expect(
      run(
        [makeGrant({ action: "manage", scopeMode: "object", objectId: o.id, tenantId: T2.id })],
        [{ action: "manage", scope: objectScope }],
      ).allowed,
    ).toBe(false)
  })

  it("authz.check @Tenant lets a caller check others in that tenant only (scenario 49)", () => {
    const grants = [tenantScoped("authz.check")]
    expect(run(grants, [{ action: "authz.check", scope: tenant(T) }]).allowed).toBe(true)
    expect(run(grants, [{ action: "authz.check", scope: platform }]).allowed).toBe(false)
  })

  it("refuses an inactive caller, or one whose own tenant is not active and live", () => {
    const grants = [makeGrant({ action: "manage" })]
    const alternatives: ReadonlyArray<GateAlternative> = [{ action: "manage", scope: platform }]
    expect(run(grants, alternatives, { subject: makeSubject(0x51, { status: "inactive" }) }).allowed).toBe(false)
    const owned = makeSubject(0x53, { kind: "service", tenant: T })
    expect(run(grants, alternatives, { subject: owned, subjectTenant: T }).allowed).toBe(true)
    expect(run(grants, alternatives, { subject: owned, subjectTenant: null }).allowed).toBe(false)
    expect(run(grants, alternatives, { subject: owned, subjectTenant: makeTenant(0x71, "frozen") }).allowed).toBe(false)
    expect(run(grants, alternatives, { subject: owned, subjectTenant: makeTenant(0x71, "active", true) }).allowed).toBe(
      false,
    )
    expect(
      gate({ subject: null, subjectTenant: null, alternatives, grants: compileGrants(grants), now: NOW }).allowed,
    ).toBe(false)
  })

  it("a scoped token's ceiling must pass with an unconditional entry", () => {
    const grants = [tenantScoped("manage")]
    const entry = (overrides: Partial<Grant> = {}) =>
      makeGrant({
        source: "access_token_ceiling",
        via: "access_token_ceiling",
        action: "manage",
        scopeMode: "tenant",
        tenantId: T.id,
        scopeTenantId: T.id,
        ...overrides,
      })
    expect(run(grants, createEntityIn(T), { ceiling: [entry()] }).allowed).toBe(true)
    expect(run(grants, createEntityIn(T), { ceiling: [entry({ conditions: { "context.mfa": true } })] }).allowed).toBe(
      false,
    )
    expect(run(grants, createEntityIn(T), { ceiling: [] }).allowed).toBe(false)
  })
})
