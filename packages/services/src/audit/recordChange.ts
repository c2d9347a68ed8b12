import type { AuditEvent } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { Effect, Option } from "effect"
import { AuditLog } from "./AuditLog.js"
import { enqueueAudit } from "./enqueueAudit.js"

/** What a change touched: the audit row's target and tenant. */
export interface ChangeTarget {
  readonly kind: string
  readonly id: string | null
  readonly tenantId: string | null
}

/** A catalogue or policy change (api.md §6.7) made by the caller: an allow event on its target. */
export const changeEvent = (
  caller: Caller,
  event: string,
  target: ChangeTarget,
  details: Readonly<Record<string, unknown>> = {},
): AuditEvent => ({
  event,
  outcome: "allow",
  actorId: caller.entityId,
  tenantId: target.tenantId,
  targetKind: target.kind,
  targetId: target.id,
  details,
})

/**
 * Records a change in the caller's transaction (call it inside `sql.withTransaction`, after the change's
 * writes): a committed change always has its record and a rolled-back one has none. Where no audit log is
 * wired (a use case tested alone) the event goes to the queue, if any.
 */
export const recordChange = (
  caller: Caller,
  event: string,
  target: ChangeTarget,
  details: Readonly<Record<string, unknown>> = {},
): Effect.Effect<void, DbFailure> => {
  const e = changeEvent(caller, event, target, details)
  return Effect.flatMap(Effect.serviceOption(AuditLog), (log) =>
    Option.isSome(log) ? log.value.recordInTx(e) : enqueueAudit(e),
  )
}
