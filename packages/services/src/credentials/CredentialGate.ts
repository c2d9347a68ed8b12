import { CredentialMessages } from "@atom/domain/credentials"
import { Forbidden, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { type AuthEntityRow, IdentityEntities } from "@atom/repositories/identity"
import { Effect } from "effect"
import { anyOf, Gate, ObjectScope, Platform, Tenant } from "../authz/Gate.js"

/** A scoped access token can never manage credentials, whatever its ceiling says (identity-certs §2.5). */
export const rejectScoped = (caller: Caller): Effect.Effect<void, Forbidden> =>
  caller.scoped ? Effect.fail(new Forbidden({ reason: "scoped access token" })) : Effect.void

/**
 * The credential gate (identity-certs §2.7): not a scoped token, a live target, and the caller is
 * the target, or holds `manage` on it, or `manage` at its tenant (Platform for global targets).
 */
export class CredentialGate extends Effect.Service<CredentialGate>()("atom/CredentialGate", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const entities = yield* IdentityEntities

    /** The live target, once the caller may manage its credentials. */
    const require = (
      caller: Caller,
      entityId: string,
    ): Effect.Effect<AuthEntityRow, Forbidden | NotFound | DbFailure> =>
      Effect.gen(function* () {
        yield* rejectScoped(caller)
        const target = yield* entities.byId(entityId)
        if (!target) return yield* new NotFound({ message: CredentialMessages.entityNotFound(entityId) })
        if (caller.entityId === target.id) return target
        yield* gate.require(caller, [
          ...anyOf(["manage"], ObjectScope("entity", target.id)),
          ...anyOf(["manage"], Tenant(target.tenantId)),
          ...anyOf(["manage"], Platform),
        ])
        return target
      }).pipe(Effect.withSpan("CredentialGate.require"))

    return { require } as const
  }),
}) {}
