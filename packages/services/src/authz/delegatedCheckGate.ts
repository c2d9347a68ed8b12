import type { GateAlternative, GateScope } from "@atom/engines/authz"
import type { DecisionInputs } from "./AuthzState.js"
import { type CheckQuestion, targetRecord } from "./decideCheck.js"

/** Who may ask about someone else (api.md §2.5, §3.5). */
export const DELEGATED_CHECK_ACTIONS = ["authz.check", "policy.manage", "manage"] as const

/** Who may explain any decision, even their own: platform scope only. */
export const EXPLAIN_ACTIONS = ["policy.manage", "manage"] as const

const PLATFORM: GateScope = { _tag: "Platform" }

/**
 * The gate of a check about another subject: the delegated-check actions at the target's tenant or at
 * platform. As in the reference, only tenant, resource and entity targets name their tenant; groups,
 * credentials and the platform are judged at platform scope (authz.md §3.2).
 */
export const delegatedCheckAlternatives = (inputs: DecisionInputs, question: CheckQuestion): Array<GateAlternative> => {
  const kind = question.target.kind
  const tenant =
    kind === "tenant" || kind === "resource" || kind === "entity"
      ? (targetRecord(inputs, question.target)?.object.tenant ?? null)
      : null
  const scopes: Array<GateScope> = tenant === null ? [PLATFORM] : [{ _tag: "Tenant", tenant }, PLATFORM]
  return scopes.flatMap((scope) => DELEGATED_CHECK_ACTIONS.map((action) => ({ action, scope })))
}

export const explainAlternatives: ReadonlyArray<GateAlternative> = EXPLAIN_ACTIONS.map((action) => ({
  action,
  scope: PLATFORM,
}))
