import type { GuardrailAssignment, GuardrailRule } from "./GuardrailAssignment.js"

/**
 * Precedence of a matching rule (authz.md §3.4): absolute deny 50 > absolute require_override 45 >
 * tenant deny 40 > tenant require_override 35 > tenant allow 30 > global deny 20 >
 * global require_override 15 > global allow 10. An absolute allow ranks as its tenant/global allow.
 */
export const rulePrecedence = (rule: GuardrailRule): number => {
  if (rule.isAbsolute && rule.decision === "deny") return 50
  if (rule.isAbsolute && rule.decision === "require_override") return 45
  const tenant = rule.tenantId !== null
  switch (rule.decision) {
    case "deny":
      return tenant ? 40 : 20
    case "require_override":
      return tenant ? 35 : 15
    case "allow":
      return tenant ? 30 : 10
  }
}

/** Same entity kind, action and object kind; rule type null or equal; rule tenant null or the assignment's. */
export const ruleMatches = (rule: GuardrailRule, assignment: GuardrailAssignment): boolean =>
  rule.entityKind === assignment.entityKind &&
  rule.actionName === assignment.action &&
  rule.objectKind === assignment.objectKind &&
  (rule.objectType === null || rule.objectType === assignment.objectType) &&
  (rule.tenantId === null || rule.tenantId === assignment.tenantId)
