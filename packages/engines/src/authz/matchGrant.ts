import type { EvaluationMode, ResolvedObject, SkipReason, Subject } from "@atom/domain/authz"
import { conditionsHold } from "../conditions/compileConditions.js"
import { type AbacDocument, buildAbacDocument } from "./abacDocument.js"
import { type CompiledGrant, grantCoversObject } from "./CompiledGrant.js"

/** The inputs of one check's matching, with the ABAC document built at most once and only if needed. */
export interface MatchContext {
  readonly subject: Subject
  readonly object: ResolvedObject
  readonly action: string
  readonly context: unknown
  readonly mode: EvaluationMode
  /** epoch milliseconds */
  readonly now: number
  document: AbacDocument | undefined
}

export const matchContext = (
  subject: Subject,
  object: ResolvedObject,
  action: string,
  context: unknown,
  mode: EvaluationMode,
  now: number,
): MatchContext => ({ subject, object, action, context, mode, now, document: undefined })

/** Gate mode is fail-closed: a conditional deny applies, a conditional allow does not. */
const conditionsApply = (compiled: CompiledGrant, ctx: MatchContext): boolean => {
  if (ctx.mode === "gate") return compiled.grant.effect === "deny" || compiled.conditions.constant === true
  if (compiled.conditions.constant !== null) return compiled.conditions.constant
  ctx.document ??= buildAbacDocument(ctx.subject, ctx.object, ctx.context)
  return conditionsHold(compiled.conditions, ctx.document)
}

/** Matches one grant (authz.md §2.5): null when it applies, else the first failing step. */
export const matchGrant = (compiled: CompiledGrant, ctx: MatchContext): SkipReason | null => {
  if (ctx.now >= compiled.expiresAtMs) return "expired"
  if (!grantCoversObject(compiled, ctx.object)) return "scope_mismatch"
  if (compiled.grant.action !== ctx.action) return "grant_mismatch"
  if (!conditionsApply(compiled, ctx)) return "conditions_mismatch"
  return null
}
