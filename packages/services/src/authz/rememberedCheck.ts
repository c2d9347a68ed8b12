import { AuditEventName, type AuditRequestInfo } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"
import { Context, Effect, Option, Runtime } from "effect"
import { AuditQueue } from "../audit/AuditQueue.js"
import { withAuditRequest } from "../audit/AuditRequestContext.js"
import { decisionEvent } from "../audit/observeDecision.js"
import { Authenticator } from "../auth/Authenticator.js"
import { AtomMetrics } from "../metrics/AtomMetrics.js"
import { type AuthzDecision, AuthzService } from "./AuthzService.js"
import type { CheckRequestFields, RequestDialect } from "./checkRequest.js"

const ALLOW = { result: "allow" } as const
const DENY = { result: "deny" } as const

/**
 * A runtime check answered without running the check's effect: the bearer token is remembered
 * (Authenticator.remembered), every input is cached at a confirmed revision (AuthzService.checkRemembered),
 * and the decision is observed as `observeDecision` would (duration histogram, `authz.check` event queued
 * with the request's facts). Undefined means "not all in memory": the caller runs the full check, which
 * verifies, loads, refuses or fails exactly as before. Decisions stay live because every piece used is
 * the one the effectful path would take from the same caches at the same instant.
 */
export const makeRememberedCheck = (runtime: Runtime.Runtime<Authenticator | AuthzService>) => {
  const authenticator = Context.get(runtime.context, Authenticator)
  const authz = Context.get(runtime.context, AuthzService)
  const instruments = Option.map(Context.getOption(runtime.context, AtomMetrics), (m) => m.instruments)
  const queue = Context.getOption(runtime.context, AuditQueue)
  const runSyncExit = Runtime.runSyncExit(runtime)
  // the runtime's clock, as Clock.currentTimeMillis reads it on the effectful path
  const clock = Runtime.runSync(runtime)(Effect.clock)

  const audit = (
    caller: Caller,
    fields: CheckRequestFields,
    dialect: RequestDialect,
    decision: AuthzDecision,
    request: () => AuditRequestInfo,
  ): void => {
    if (Option.isNone(queue)) return
    const outcome = decision.allowed ? "allow" : "deny"
    const event = decisionEvent(AuditEventName.authzCheck, caller, fields, dialect, outcome, decision, null)
    // enqueue never waits nor fails; it runs to its end here
    runSyncExit(withAuditRequest(request())(queue.value.enqueue(event)))
  }

  return (
    token: string,
    fields: CheckRequestFields,
    dialect: RequestDialect,
    request: () => AuditRequestInfo,
  ): AuthzDecision | undefined => {
    const now = clock.unsafeCurrentTimeMillis()
    const caller = authenticator.remembered(token, now)
    if (caller === undefined) return undefined
    const started = performance.now()
    const decision = authz.checkRemembered(caller, fields, dialect, now)
    if (decision === undefined) return undefined
    if (Option.isSome(instruments)) {
      instruments.value.authzDecision.observe(decision.allowed ? ALLOW : DENY, (performance.now() - started) / 1000)
    }
    audit(caller, fields, dialect, decision, request)
    return decision
  }
}

export type RememberedCheck = ReturnType<typeof makeRememberedCheck>
