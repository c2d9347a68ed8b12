import type { GuardrailDecision } from "@atom/domain/policy"
import type { GuardrailAssignment, GuardrailFallback, GuardrailRule } from "./GuardrailAssignment.js"
import { guardrailRejected, guardrailRequiresOverride } from "./guardrailMessages.js"
import { ruleMatches, rulePrecedence } from "./rulePrecedence.js"

/** The decision for one assignment and the rule that made it (null when none matched). */
export interface AssignmentDecision {
  readonly decision: GuardrailDecision
  readonly rule: GuardrailRule | null
}

/** The highest-precedence matching rule decides; with none, the configured fallback does. */
export const decideAssignment = (
  assignment: GuardrailAssignment,
  rules: ReadonlyArray<GuardrailRule>,
  fallback: GuardrailFallback,
): AssignmentDecision => {
  let best: GuardrailRule | null = null
  let bestRank = -1
  for (const rule of rules) {
    if (!ruleMatches(rule, assignment)) continue
    const rank = rulePrecedence(rule)
    if (rank > bestRank) {
      best = rule
      bestRank = rank
    }
  }
  return best === null ? { decision: fallback, rule: null } : { decision: best.decision, rule: best }
}

export type GuardrailVerdict =
  | { readonly _tag: "Allowed" }
  | {
      readonly _tag: "Rejected" | "RequiresOverride"
      readonly assignment: GuardrailAssignment
      readonly rule: GuardrailRule | null
      /** the wire text of the refusal */
      readonly message: string
    }

const allowed: GuardrailVerdict = { _tag: "Allowed" }

/**
 * An assignment over every type of a kind also hands out each type a typed rule names, so it is judged as
 * itself plus one facet per such type: a typed deny (e.g. device × execute × resource:rule) stops a kind-wide
 * or platform/tenant grant as it stops the typed one, and a typed allow cannot lift a kind-wide deny.
 */
export const facetsOf = (
  assignment: GuardrailAssignment,
  rules: ReadonlyArray<GuardrailRule>,
): Array<GuardrailAssignment> => {
  if (assignment.objectType !== null) return [assignment]
  const types = new Set<string>()
  for (const rule of rules) {
    if (rule.objectType !== null && ruleMatches({ ...rule, objectType: null }, assignment)) types.add(rule.objectType)
  }
  return [assignment, ...[...types].sort().map((objectType) => ({ ...assignment, objectType }))]
}

/**
 * Judges every assignment; the first denied one (in order) refuses the whole write, else the first that
 * needs an override (v1 has no override, so that refuses too), else it is allowed.
 */
export const judgeAssignments = (
  assignments: ReadonlyArray<GuardrailAssignment>,
  rules: ReadonlyArray<GuardrailRule>,
  fallback: GuardrailFallback,
): GuardrailVerdict => {
  let override: GuardrailVerdict | null = null
  for (const assignment of assignments.flatMap((a) => facetsOf(a, rules))) {
    const { decision, rule } = decideAssignment(assignment, rules, fallback)
    if (decision === "deny") return { _tag: "Rejected", assignment, rule, message: guardrailRejected(assignment) }
    if (decision === "require_override" && override === null) {
      override = { _tag: "RequiresOverride", assignment, rule, message: guardrailRequiresOverride(assignment) }
    }
  }
  return override ?? allowed
}
