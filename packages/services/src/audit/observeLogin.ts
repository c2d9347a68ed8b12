import { AuditEventName } from "@atom/domain/audit"
import { Cause, Effect, Exit } from "effect"
import { withInstruments } from "../metrics/AtomMetrics.js"
import { enqueueAudit } from "./enqueueAudit.js"

/** What an `auth.login` event may say about the attempt: never the secret. */
export interface LoginFacts {
  readonly identifier: string
  readonly kind: string
  readonly tenantId: string | null
  readonly tenantAlias: string | null
}

/**
 * Wraps a login: counts `atom_auth_login_total{outcome}` and queues `auth.login` with details
 * {identifier, credential_kind} (plus the refusal reason). Allows are stored only when hot-path allows are
 * enabled; refusals always. Unavailable database or internal failures are `error`.
 */
export const observeLogin =
  (facts: LoginFacts) =>
  <A extends { readonly entityId: string }, E extends { readonly _tag: string; readonly message: string }, R>(
    login: Effect.Effect<A, E, R>,
  ): Effect.Effect<A, E, R> =>
    Effect.onExit(login, (exit) => {
      if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return Effect.void
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      const refused =
        failure !== undefined &&
        failure._tag === "Some" &&
        (failure.value._tag === "Unauthenticated" ||
          failure.value._tag === "RateLimited" ||
          failure.value._tag === "InvalidInput")
      const outcome = Exit.isSuccess(exit) ? ("allow" as const) : refused ? ("deny" as const) : ("error" as const)
      const entityId = Exit.isSuccess(exit) ? exit.value.entityId : null
      return Effect.zipRight(
        withInstruments((m) => m.logins.inc({ outcome })),
        enqueueAudit({
          event: AuditEventName.authLogin,
          outcome,
          actorId: entityId,
          tenantId: facts.tenantId,
          targetKind: entityId === null ? null : "entity",
          targetId: entityId,
          details: {
            identifier: facts.identifier,
            credential_kind: facts.kind,
            ...(facts.tenantAlias === null ? {} : { tenant_alias: facts.tenantAlias }),
            ...(failure !== undefined && failure._tag === "Some" ? { reason: failure.value.message } : {}),
          },
        }),
      )
    })
