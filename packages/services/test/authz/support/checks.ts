import type { CheckTarget } from "@atom/domain/authz"
import { Effect } from "effect"
import { type CheckOptions, Pdp } from "../../../src/authz/index.js"

/** The PDP's answer to one runtime question. */
export const check = (
  subjectId: string,
  action: string,
  target: CheckTarget,
  context?: unknown,
  options: CheckOptions = {},
) => Effect.flatMap(Pdp, (pdp) => pdp.check({ subjectId, action, target, context }, options))

/** Just the wire reason of a check. */
export const reason = (subjectId: string, action: string, target: CheckTarget, context?: unknown) =>
  Effect.map(check(subjectId, action, target, context), (answer) => answer.decision.reason)

export const resourceTarget = (id: string): CheckTarget => ({ kind: "resource", id })
export const entityTarget = (id: string): CheckTarget => ({ kind: "entity", id })
export const tenantTarget = (id: string): CheckTarget => ({ kind: "tenant", id })
export const groupTarget = (id: string): CheckTarget => ({ kind: "group", id })
