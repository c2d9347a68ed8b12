import { AuditEventName } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"
import { Cause, Effect, Exit } from "effect"
import { withInstruments } from "../metrics/AtomMetrics.js"
import { enqueueAudit } from "./enqueueAudit.js"

/** What an `authz.check` event says about the question (the transport's strings, before validation). */
export interface CheckFacts {
  readonly subjectId: string
  readonly action: string
  readonly resourceId?: string | null | undefined
  readonly objectKind?: string | null | undefined
  readonly objectId?: string | null | undefined
}

/**
 * Wraps a runtime check: times it into `atom_authz_decision_duration_seconds{result}` and queues its
 * `authz.check` event (allow / deny; a refused gate is a deny, anything else an error). The request
 * never waits for the write.
 */
export const observeDecision =
  (caller: Caller, facts: CheckFacts, dialect: string) =>
  <A extends { readonly allowed: boolean; readonly reason: string }, E extends { readonly _tag: string }, R>(
    check: Effect.Effect<A, E, R>,
  ): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(check, (exit) => {
        const seconds = (performance.now() - started) / 1000
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
        const outcome = Exit.isSuccess(exit)
          ? exit.value.allowed
            ? ("allow" as const)
            : ("deny" as const)
          : failure !== undefined && failure._tag === "Some" && failure.value._tag === "Forbidden"
            ? ("deny" as const)
            : ("error" as const)
        if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return Effect.void
        const objectKind = facts.objectKind || (facts.resourceId ? "resource" : null)
        const objectId = facts.objectId || facts.resourceId || null
        return Effect.zipRight(
          withInstruments((m) => m.authzDecision.observe({ result: outcome }, seconds)),
          enqueueAudit({
            event: AuditEventName.authzCheck,
            outcome,
            actorId: caller.entityId,
            tenantId: caller.tenantId,
            targetKind: objectKind,
            targetId: objectId,
            details: {
              subject_id: facts.subjectId,
              action: facts.action,
              object_kind: objectKind,
              object_id: objectId,
              dialect,
              reason: Exit.isSuccess(exit)
                ? exit.value.reason
                : failure !== undefined && failure._tag === "Some"
                  ? failure.value._tag
                  : "defect",
            },
          }),
        )
      })
    })
