import { AuditEventName, type AuditOutcome } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"
import { Cause, Effect, Exit } from "effect"
import { withInstruments } from "../metrics/AtomMetrics.js"
import { enqueueAudit, enqueueAuditAll } from "./enqueueAudit.js"

/** What an `authz.check` / `authz.explain` event says about the question (the transport's strings). */
export interface CheckFacts {
  readonly subjectId: string
  readonly action: string
  readonly resourceId?: string | null | undefined
  readonly objectKind?: string | null | undefined
  readonly objectId?: string | null | undefined
}

/** The part of a decision an event records; `details` carries a lifecycle denial's tenant status. */
interface DecisionFacts {
  readonly allowed: boolean
  readonly reason: string
  readonly details?: Readonly<Record<string, unknown>> | null
}

type DecisionEvent = (typeof AuditEventName)["authzCheck" | "authzExplain"]

/** A decision's outcome: allow / deny; a refused gate is a deny, anything else an error. */
const outcomeOf = <A, E extends { readonly _tag: string }>(
  exit: Exit.Exit<A, E>,
  decision: (a: A) => DecisionFacts,
): { readonly outcome: AuditOutcome; readonly facts: DecisionFacts | null; readonly failure: string | null } => {
  if (Exit.isSuccess(exit)) {
    const facts = decision(exit.value)
    return { outcome: facts.allowed ? "allow" : "deny", facts, failure: null }
  }
  const failure = Cause.failureOption(exit.cause)
  const tag = failure._tag === "Some" ? failure.value._tag : "defect"
  return { outcome: tag === "Forbidden" ? "deny" : "error", facts: null, failure: tag }
}

/** The `authz.check` / `authz.explain` event of one decision (or of its failure); also built by a remembered check. */
export const decisionEvent = (
  event: DecisionEvent,
  caller: Caller,
  facts: CheckFacts,
  dialect: string,
  outcome: AuditOutcome,
  decided: DecisionFacts | null,
  failure: string | null,
) => {
  const objectKind = facts.objectKind || (facts.resourceId ? "resource" : null)
  const objectId = facts.objectId || facts.resourceId || null
  return {
    event,
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
      reason: decided?.reason ?? failure,
      ...(decided?.details ?? {}),
    },
  }
}

const observe =
  <A>(event: DecisionEvent, caller: Caller, facts: CheckFacts, dialect: string, decision: (a: A) => DecisionFacts) =>
  <E extends { readonly _tag: string }, R>(run: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(run, (exit) => {
        if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return Effect.void
        const seconds = (performance.now() - started) / 1000
        const { outcome, facts: decided, failure } = outcomeOf(exit, decision)
        return Effect.zipRight(
          event === AuditEventName.authzCheck
            ? withInstruments((m) => m.authzDecision.observe({ result: outcome }, seconds))
            : Effect.void,
          enqueueAudit(decisionEvent(event, caller, facts, dialect, outcome, decided, failure)),
        )
      })
    })

/**
 * Wraps a runtime check: times it into `atom_authz_decision_duration_seconds{result}` and queues its
 * `authz.check` event (stored for denies and errors; allows only when hot-path allows are enabled). The
 * request never waits for the write.
 */
export const observeDecision =
  (caller: Caller, facts: CheckFacts, dialect: string) =>
  <A extends DecisionFacts, E extends { readonly _tag: string }, R>(check: Effect.Effect<A, E, R>) =>
    observe(AuditEventName.authzCheck, caller, facts, dialect, (d: A) => d)(check)

/** Wraps `authzExplain`: its `authz.explain` event is always stored (lifecycle denials add tenant_status). */
export const observeExplain =
  (caller: Caller, facts: CheckFacts) =>
  <A extends { readonly decision: DecisionFacts }, E extends { readonly _tag: string }, R>(
    explain: Effect.Effect<A, E, R>,
  ) =>
    observe(AuditEventName.authzExplain, caller, facts, "graphql", (a: A) => a.decision)(explain)

/**
 * Wraps `authzBulkCheck`: one queued `authz.check` event per question (dialect `graphql_bulk`), each with
 * its own decision; when the batch fails as a whole (a refused gate, bad input) every question gets the
 * failure's outcome. Like single checks, allows are stored only when hot-path allows are enabled.
 */
export const observeBulkDecisions =
  (caller: Caller, requests: ReadonlyArray<CheckFacts>) =>
  <A extends DecisionFacts, E extends { readonly _tag: string }, R>(
    bulk: Effect.Effect<ReadonlyArray<A>, E, R>,
  ): Effect.Effect<ReadonlyArray<A>, E, R> =>
    Effect.onExit(bulk, (exit) => {
      if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return Effect.void
      return enqueueAuditAll(
        requests.map((facts, i) => {
          const answer = Exit.isSuccess(exit) ? exit.value[i] : undefined
          // a failed batch: every question shares its outcome; a missing answer is an error
          const {
            outcome,
            facts: decided,
            failure,
          } = answer !== undefined
            ? outcomeOf(Exit.succeed(answer), (d: A) => d)
            : outcomeOf(exit, () => ({ allowed: false, reason: "missing answer" }))
          return decisionEvent(AuditEventName.authzCheck, caller, facts, "graphql_bulk", outcome, decided, failure)
        }),
      )
    })
