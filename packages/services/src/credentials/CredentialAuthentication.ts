import { InvalidInput } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { Cause, Effect, Exit, type Redacted } from "effect"
import { enqueueAudit } from "../audit/enqueueAudit.js"
import { anyOf, Gate, Platform, Tenant } from "../authz/Gate.js"
import { CredentialVerifier, type VerifiedCredential, verifiableKind } from "./CredentialVerifier.js"

export interface AuthenticateCredentialInput {
  readonly identifier: string
  readonly secret: Redacted.Redacted<string>
  /** "", `password` or `shared_key` (any case, trimmed) */
  readonly kind: string
  readonly tenantId: string | null
  readonly tenantAlias: string | null
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * gRPC AuthenticateCredential (identity-certs §2.9): a protocol adapter asks whether a password or
 * shared key is good. The adapter needs `authz.check` at the selected tenant or at Platform
 * (Platform only without a selector); the secret is then checked exactly as login checks it —
 * lockout and email rule included — but no session is opened.
 */
export class CredentialAuthentication extends Effect.Service<CredentialAuthentication>()(
  "atom/CredentialAuthentication",
  {
    effect: Effect.gen(function* () {
      const verifier = yield* CredentialVerifier
      const gate = yield* Gate

      const authenticate = (caller: Caller, input: AuthenticateCredentialInput) =>
        Effect.gen(function* () {
          const kind = verifiableKind(input.kind)
          if (kind === undefined) {
            return yield* new InvalidInput({ message: "unsupported credential kind: expected password or shared_key" })
          }
          if (input.tenantId !== null && !UUID.test(input.tenantId)) {
            return yield* new InvalidInput({ message: "invalid tenant_id: expected UUID" })
          }
          const tenantId = yield* verifier.selectTenant(input.tenantId, input.tenantAlias)
          yield* gate.require(caller, [
            ...(tenantId === null ? [] : anyOf(["authz.check"], Tenant(tenantId))),
            ...anyOf(["authz.check"], Platform),
          ])
          const verified: VerifiedCredential = yield* verifier
            .verify({ identifier: input.identifier, secret: input.secret, tenantId, kind })
            .pipe(
              Effect.onExit((exit) => {
                if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return Effect.void
                const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
                const refused =
                  failure?._tag === "Some" &&
                  (failure.value._tag === "Unauthenticated" ||
                    failure.value._tag === "RateLimited" ||
                    failure.value._tag === "InvalidInput")
                const ok = Exit.isSuccess(exit) ? exit.value : undefined
                // hot path: allows are stored only when ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED is on
                return enqueueAudit({
                  event: "auth.credential_authenticate",
                  outcome: ok ? "allow" : refused ? "deny" : "error",
                  actorId: caller.entityId,
                  tenantId,
                  targetKind: ok ? "credential" : null,
                  targetId: ok?.credentialId ?? null,
                  details: {
                    entity_id: ok?.entityId ?? null,
                    credential_kind: ok?.kind ?? null,
                    identifier: input.identifier,
                    transport: "grpc",
                  },
                })
              }),
            )
          return verified
        }).pipe(Effect.withSpan("CredentialAuthentication.authenticate"))

      return { authenticate } as const
    }),
    dependencies: [CredentialVerifier.Default],
  },
) {}
