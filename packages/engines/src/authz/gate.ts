import type { Decision, ResolvedObject, Subject, TenantState } from "@atom/domain/authz"
import { platformObject, tenantObject } from "./builtinObjects.js"
import { evaluate } from "./evaluate.js"
import type { GrantSet } from "./GrantSet.js"

/** Where an admin operation needs its permission (authz.md §3.1). */
export type GateScope =
  | { readonly _tag: "Platform" }
  | { readonly _tag: "Tenant"; readonly tenant: TenantState }
  | { readonly _tag: "Object"; readonly object: ResolvedObject }

/** One acceptable (action, scope) pair; an operation lists its alternatives. */
export interface GateAlternative {
  readonly action: string
  readonly scope: GateScope
}

export interface GateInput {
  /** the caller, null when missing or tombstoned */
  readonly subject: Subject | null
  /** the caller's own tenant when it has one; must be active and live */
  readonly subjectTenant: TenantState | null
  readonly alternatives: ReadonlyArray<GateAlternative>
  readonly grants: GrantSet
  /** a scoped token's ceiling; it must pass the same test */
  readonly ceiling?: GrantSet | null
  /** epoch milliseconds */
  readonly now: number
}

export interface GateResult {
  readonly allowed: boolean
  /** the action that passed, when allowed */
  readonly action: string | null
}

const forbidden: GateResult = { allowed: false, action: null }

export const gateScopeObject = (scope: GateScope): ResolvedObject =>
  scope._tag === "Platform" ? platformObject : scope._tag === "Tenant" ? tenantObject(scope.tenant) : scope.object

const callerUsable = (subject: Subject | null, tenant: TenantState | null): subject is Subject =>
  subject !== null &&
  subject.status === "active" &&
  (subject.tenantId === null ||
    (tenant !== null && tenant.id === subject.tenantId && !tenant.deleted && tenant.status === "active"))

/** Gate-mode decision for one alternative; applicability is not a gate concern (e.g. `write` @Tenant). */
export const gateDecision = (input: GateInput, alternative: GateAlternative): Decision =>
  evaluate({
    subject: input.subject,
    object: gateScopeObject(alternative.scope),
    action: alternative.action,
    actionApplicable: true,
    grants: input.grants,
    ceiling: input.ceiling ?? null,
    mode: "gate",
    now: input.now,
  })

/**
 * The admin gate as calls into the one evaluator, fail-closed. Per action all its scopes are judged
 * together: any applicable deny fails the action, otherwise one unconditional allow passes it; scopes in
 * an unusable tenant drop out. Authorised when any action passes.
 */
export const gate = (input: GateInput): GateResult => {
  if (!callerUsable(input.subject, input.subjectTenant)) return forbidden
  const verdicts = new Map<string, "pass" | "fail" | "none">()
  for (const alternative of input.alternatives) {
    const previous = verdicts.get(alternative.action) ?? "none"
    if (previous === "fail") continue
    const decision = gateDecision(input, alternative)
    if (decision.code === "explicit_deny") verdicts.set(alternative.action, "fail")
    else if (decision.allowed) verdicts.set(alternative.action, "pass")
    else verdicts.set(alternative.action, previous)
  }
  for (const [action, verdict] of verdicts) if (verdict === "pass") return { allowed: true, action }
  return forbidden
}
