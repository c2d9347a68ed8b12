import type {
  Decision,
  EvaluationMode,
  GrantEvaluation,
  ObjectNotFound,
  ResolvedObject,
  SkipReason,
  Subject,
} from "@atom/domain/authz"
import type { CompiledGrant } from "./CompiledGrant.js"
import {
  actionUnknown,
  allowed,
  ceilingDenied,
  explicitDeny,
  noAllow,
  objectMissing,
  subjectNotActive,
  subjectNotFound,
  tenantBlocked,
} from "./decisions.js"
import type { GrantSet } from "./GrantSet.js"
import { type MatchContext, matchContext, matchGrant } from "./matchGrant.js"
import { blockingTenantStatus } from "./tenantLifecycle.js"

/** Everything one decision needs, already loaded. */
export interface CheckInput {
  /** null when missing or tombstoned */
  readonly subject: Subject | null
  readonly object: ResolvedObject | ObjectNotFound
  readonly action: string
  /** the action exists and an applicability row covers the object (see isActionApplicable) */
  readonly actionApplicable: boolean
  readonly grants: GrantSet
  /** a scoped token's ceiling on a self-check; null or absent when there is none */
  readonly ceiling?: GrantSet | null
  /** the caller's ABAC `context`; absent or null means `{}` */
  readonly context?: unknown
  readonly mode: EvaluationMode
  /** epoch milliseconds, for grant expiry */
  readonly now: number
  /** record every grant's outcome and the nearest failure */
  readonly explain?: boolean
}

const isNotFound = (object: ResolvedObject | ObjectNotFound): object is ObjectNotFound => "notFound" in object

// How far a failing grant got (§2.5 order); explain reports the furthest as the nearest failure.
const progress: Record<SkipReason, number> = {
  expired: 0,
  scope_mismatch: 1,
  grant_mismatch: 2,
  conditions_mismatch: 3,
}

const firstApplicableAllow = (grants: ReadonlyArray<CompiledGrant>, ctx: MatchContext): CompiledGrant | undefined => {
  for (const compiled of grants) if (matchGrant(compiled, ctx) === null) return compiled
  return undefined
}

const decideFast = (input: CheckInput, ctx: MatchContext): Decision => {
  const bucket = input.grants.byAction.get(input.action)
  if (bucket === undefined) return noAllow()
  for (const compiled of bucket.denies) if (matchGrant(compiled, ctx) === null) return explicitDeny(compiled.grant)
  const allow = firstApplicableAllow(bucket.allows, ctx)
  if (allow === undefined) return noAllow()
  const ceiling = input.ceiling
  if (ceiling !== undefined && ceiling !== null) {
    const entries = ceiling.byAction.get(input.action)
    if (entries === undefined || firstApplicableAllow(entries.allows, ctx) === undefined) return ceilingDenied()
  }
  return allowed(allow.grant)
}

interface Trace {
  readonly evaluated: Array<GrantEvaluation>
  first: { deny: CompiledGrant | undefined; allow: CompiledGrant | undefined }
  nearest: GrantEvaluation | null
  nearestProgress: number
}

const traceAll = (grants: ReadonlyArray<CompiledGrant>, ctx: MatchContext, trace: Trace): void => {
  for (const compiled of grants) {
    const skip = matchGrant(compiled, ctx)
    const evaluation: GrantEvaluation = {
      grant: compiled.grant,
      result: skip === null ? "matched" : "skipped",
      skipReason: skip,
    }
    trace.evaluated.push(evaluation)
    const isDeny = compiled.grant.effect === "deny"
    if (skip === null) {
      if (isDeny) trace.first.deny ??= compiled
      else trace.first.allow ??= compiled
    } else if (!isDeny && progress[skip] > trace.nearestProgress) {
      trace.nearest = evaluation
      trace.nearestProgress = progress[skip]
    }
  }
}

const newTrace = (evaluated: Array<GrantEvaluation>): Trace => ({
  evaluated,
  first: { deny: undefined, allow: undefined },
  nearest: null,
  nearestProgress: -1,
})

const decideExplained = (input: CheckInput, ctx: MatchContext): Decision => {
  const evaluated: Array<GrantEvaluation> = []
  const trace = newTrace(evaluated)
  traceAll(input.grants.all, ctx, trace)
  if (trace.first.deny !== undefined) return explicitDeny(trace.first.deny.grant, evaluated)
  const allow = trace.first.allow
  if (allow === undefined) return noAllow(evaluated, trace.nearest)
  const ceiling = input.ceiling
  if (ceiling !== undefined && ceiling !== null) {
    const ceilingTrace = newTrace(evaluated)
    traceAll(ceiling.all, ctx, ceilingTrace)
    if (ceilingTrace.first.allow === undefined) return ceilingDenied(evaluated, ceilingTrace.nearest)
  }
  return allowed(allow.grant, evaluated)
}

/**
 * The one evaluator (authz.md §2.2 steps 1–11): runtime checks, explain, admin gates and listings all
 * decide here. Deny overrides allow; no allow means deny.
 */
export const evaluate = (input: CheckInput): Decision => {
  const subject = input.subject
  if (subject === null) return subjectNotFound
  if (subject.status !== "active") return subjectNotActive
  const object = input.object
  if (isNotFound(object)) return objectMissing(object.notFound)
  const blocked = blockingTenantStatus(object)
  if (blocked !== null && object.tenant !== null) return tenantBlocked(object.tenant.id, blocked)
  if (!input.actionApplicable) return actionUnknown(input.action)
  const ctx = matchContext(subject, object, input.action, input.context, input.mode, input.now)
  return input.explain === true ? decideExplained(input, ctx) : decideFast(input, ctx)
}
