import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, NotFound, Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { issueSessionToken } from "@atom/engines/tokens"
import { announceLocalChange } from "@atom/repositories/db"
import { type SessionRow, Sessions } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { logoutEvent } from "../audit/callerEvents.js"
import { enqueueAudit } from "../audit/enqueueAudit.js"
import { anyOf, Gate, ObjectScope } from "../authz/Gate.js"
import { KeyRing } from "./KeyRing.js"

export interface RefreshedSession {
  readonly token: string
  readonly entityId: string
  readonly sessionId: string
  readonly expiresAt: Date
}

/** Session use cases: read one (own, or read access on its entity), logout, refresh. */
export class SessionService extends Effect.Service<SessionService>()("atom/SessionService", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sessions = yield* Sessions
    const gate = yield* Gate
    const keys = yield* KeyRing
    const sql = yield* SqlClient.SqlClient
    // remembered tokens of this replica forget the session before logout answers (others hear NOTIFY)
    const announced = Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const session: SessionRow | undefined = yield* sessions.byId(id)
        if (!session) return yield* new NotFound({ message: `session ${id} not found` })
        // the reference lets any caller read any session; we require ownership or read access
        if (session.entityId !== caller.entityId) {
          yield* gate.require(caller, anyOf(["read", "manage"], ObjectScope("entity", session.entityId)))
        }
        return session
      }).pipe(Effect.withSpan("SessionService.get"))

    const logout = (caller: Caller) =>
      (caller.sessionId === null ? Effect.void : Effect.zipRight(sessions.revoke(caller.sessionId), announced)).pipe(
        Effect.tap(() => enqueueAudit(logoutEvent(caller))),
        Effect.withSpan("SessionService.logout"),
      )

    const refresh = (caller: Caller) =>
      Effect.gen(function* () {
        if (caller.sessionId === null) {
          return yield* new InvalidInput({ message: "session refresh requires a session token" })
        }
        const expiresAt = new Date(Date.now() + config.auth.jwtExpirySecs * 1000)
        if (!(yield* sessions.extend(caller.sessionId, expiresAt))) {
          return yield* new Unauthenticated({ message: "session is not refreshable" })
        }
        const { token } = issueSessionToken(
          {
            entityId: caller.entityId,
            sessionId: caller.sessionId,
            tenantId: caller.tenantId,
            issuer: config.auth.jwtIssuer,
            audience: config.auth.jwtAudience,
            expirySecs: config.auth.jwtExpirySecs,
            now: Math.floor(expiresAt.getTime() / 1000) - config.auth.jwtExpirySecs,
          },
          keys.signer(),
        )
        return { token, entityId: caller.entityId, sessionId: caller.sessionId, expiresAt } satisfies RefreshedSession
      }).pipe(Effect.withSpan("SessionService.refresh"))

    return { get, logout, refresh } as const
  }),
}) {}
