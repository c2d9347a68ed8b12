import {
  type AuditEvent,
  AuditEventName,
  type AuditRequestInfo,
  storedAllowRate,
  suppressedCategory,
} from "@atom/domain/audit"
import { AtomConfig } from "@atom/domain/config"
import type { Caller } from "@atom/domain/identity"
import { Context, Effect, FiberRef, FiberRefs, LogLevel, Option, Runtime } from "effect"
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
 * with the request's facts, in batches on the event loop's next turn, after the answers are sent).
 * Undefined means "not all in memory": the caller runs the full check, which verifies, loads, refuses or
 * fails exactly as before. Decisions stay live because every piece used is
 * the one the effectful path would take from the same caches at the same instant.
 */
export const makeRememberedCheck = (runtime: Runtime.Runtime<Authenticator | AuthzService>) => {
  const caller = makeRememberedCaller(runtime)
  const decide = makeRememberedDecision(runtime)
  return (
    token: string,
    fields: CheckRequestFields,
    dialect: RequestDialect,
    request: () => AuditRequestInfo,
  ): AuthzDecision | undefined => {
    const known = caller(token)
    return known === undefined ? undefined : decide(known, fields, dialect, request)
  }
}

export type RememberedCheck = ReturnType<typeof makeRememberedCheck>

/** The caller of a remembered token at the runtime's clock (Authenticator.remembered), else undefined. */
export const makeRememberedCaller = (runtime: Runtime.Runtime<Authenticator>) => {
  const authenticator = Context.get(runtime.context, Authenticator)
  const clock = Runtime.runSync(runtime)(Effect.clock)
  return (token: string): Caller | undefined => authenticator.remembered(token, clock.unsafeCurrentTimeMillis())
}

export type RememberedCaller = ReturnType<typeof makeRememberedCaller>

/**
 * The decision half of `makeRememberedCheck`, for a transport that already knows the caller (GraphQL
 * authenticates in its context): answered and observed from memory, or undefined for the full check.
 */
export const makeRememberedDecision = (runtime: Runtime.Runtime<AuthzService>) => {
  const authz = Context.get(runtime.context, AuthzService)
  const instruments = Option.map(Context.getOption(runtime.context, AtomMetrics), (m) => m.instruments)
  const queue = Context.getOption(runtime.context, AuditQueue)
  const runSyncExit = Runtime.runSyncExit(runtime)
  // the runtime's clock, as Clock.currentTimeMillis reads it on the effectful path
  const clock = Runtime.runSync(runtime)(Effect.clock)

  // Events of answered calls, queued together on the loop's next turn: one effect per batch
  // instead of one per call. Each keeps its own request's facts.
  const events: Array<AuditEvent> = []
  const requests: Array<AuditRequestInfo | undefined> = []
  const enqueueBatch = (queue: AuditQueue["Type"]) => () => {
    const batch = events.splice(0)
    const facts = requests.splice(0)
    // enqueue never waits nor fails; the batch runs to its end here
    runSyncExit(
      Effect.forEach(
        batch,
        (event, i) => {
          const info = facts[i]
          return info === undefined ? queue.enqueue(event) : withAuditRequest(info)(queue.enqueue(event))
        },
        { discard: true },
      ),
    )
  }

  // An allow the queue only counts (hot-path allows not stored, no debug line) needs no request facts.
  const allowEnabled = Option.exists(
    Context.getOption(runtime.context, AtomConfig),
    (c) => storedAllowRate(c.audit) > 0,
  )
  const debugLogged = LogLevel.lessThanEqual(
    FiberRefs.getOrDefault(runtime.fiberRefs, FiberRef.currentMinimumLogLevel),
    LogLevel.Debug,
  )
  const needsFacts = (event: AuditEvent): boolean =>
    debugLogged || suppressedCategory(event.event, event.outcome, allowEnabled) === undefined
  const flush = Option.map(queue, enqueueBatch)

  const audit = (
    caller: Caller,
    fields: CheckRequestFields,
    dialect: RequestDialect,
    decision: AuthzDecision,
    request: () => AuditRequestInfo,
  ): void => {
    if (Option.isNone(flush) || Option.isNone(queue)) return
    const outcome = decision.allowed ? "allow" : "deny"
    // a hot-path allow that is neither stored nor logged is only counted: no event, no effect
    if (!debugLogged && queue.value.countSuppressed(AuditEventName.authzCheck, outcome)) return
    // on a timer, not an immediate: an immediate ran the batch before the calls' answers were sent, adding
    // its time to each one (bench/auditCheckP99.ts at 300 Checks/s, no other load: p50 +0.08–0.30 ms over
    // the audit-off server with an immediate, +0.05 or less with the timer)
    if (events.length === 0) setTimeout(flush.value, 0)
    const event = decisionEvent(AuditEventName.authzCheck, caller, fields, dialect, outcome, decision, null)
    events.push(event)
    requests.push(needsFacts(event) ? request() : undefined)
  }

  return (
    caller: Caller,
    fields: CheckRequestFields,
    dialect: RequestDialect,
    request: () => AuditRequestInfo,
  ): AuthzDecision | undefined => {
    const now = clock.unsafeCurrentTimeMillis()
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

export type RememberedDecision = ReturnType<typeof makeRememberedDecision>
