import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, type RateLimited, type Unauthenticated } from "@atom/domain/errors"
import { issueSessionToken } from "@atom/engines/tokens"
import type { DbFailure } from "@atom/repositories/db"
import { Effect, type Redacted } from "effect"
import { observeLogin } from "../audit/observeLogin.js"
import { CredentialVerifier, verifiableKind } from "../credentials/CredentialVerifier.js"
import { lowPriorityTurn } from "../scheduling/lowPriorityTurn.js"
import { KeyRing } from "./KeyRing.js"

export interface LoginInput {
  readonly identifier: string
  readonly secret: Redacted.Redacted<string>
  readonly tenantId: string | null
  readonly tenantAlias: string | null
  readonly kind: string
}

export interface LoginResult {
  readonly token: string
  readonly entityId: string
  readonly sessionId: string
  readonly expiresAt: Date
  /** undefined when the entity has no email */
  readonly emailVerified: boolean | undefined
  readonly verificationRequired: boolean
}

export type LoginError = Unauthenticated | InvalidInput | RateLimited | DbFailure

/**
 * Login (identity-certs §2.2) with a password or a shared key: the credential is verified by
 * CredentialVerifier (tenant, lockout, identifier, secret, email rule), which opens the session in the
 * same transaction that records the attempt.
 */
export class Login extends Effect.Service<Login>()("atom/Login", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const verifier = yield* CredentialVerifier
    const keys = yield* KeyRing

    const login = (input: LoginInput): Effect.Effect<LoginResult, LoginError> =>
      Effect.gen(function* () {
        // "" is a password for gRPC only; login names its kind (default "password")
        const kind = input.kind.trim() === "" ? undefined : verifiableKind(input.kind)
        if (kind === undefined) {
          return yield* Effect.fail(new InvalidInput({ message: `unsupported credential kind: ${input.kind}` }))
        }
        const tenantId = yield* verifier.selectTenant(input.tenantId, input.tenantAlias)
        const verified = yield* verifier.verifyAndOpenSession(
          { identifier: input.identifier, secret: input.secret, tenantId, kind },
          randomUUID(),
          config.auth.jwtExpirySecs,
        )
        const { sessionId, expiresAt } = verified
        yield* lowPriorityTurn
        const { token } = issueSessionToken(
          {
            entityId: verified.entityId,
            sessionId,
            tenantId: verified.entityTenantId,
            issuer: config.auth.jwtIssuer,
            audience: config.auth.jwtAudience,
            expirySecs: config.auth.jwtExpirySecs,
            now: Math.floor(expiresAt.getTime() / 1000) - config.auth.jwtExpirySecs,
          },
          keys.signer(),
        )
        return {
          token,
          entityId: verified.entityId,
          sessionId,
          expiresAt,
          emailVerified: verified.emailVerified,
          verificationRequired: verified.emailVerified === false,
        }
      }).pipe(observeLogin(input), Effect.withSpan("Login.login", { captureStackTrace: false }))

    return { login } as const
  }),
  dependencies: [CredentialVerifier.Default],
}) {}
