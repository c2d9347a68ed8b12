import { AtomConfig } from "@atom/domain/config"
import { Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { AuthMessages, isAccessTokenBearer, sessionIdentity, verifyJwt } from "@atom/engines/tokens"
import { AccessTokens } from "@atom/repositories/credentials"
import { Sessions } from "@atom/repositories/identity"
import { Effect, Either, Layer } from "effect"
import { makeAccessTokenAuthentication } from "../credentials/authenticateAccessToken.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { Authenticator } from "./Authenticator.js"
import { Kek } from "./Kek.js"
import { KeyRing } from "./KeyRing.js"

const refuse = (message: string) => Effect.fail(new Unauthenticated({ message }))

/**
 * Verifies session JWTs (identity-certs §2.3): signature and claims in memory, then the live
 * session, entity and tenant in one query, so a logout or a disabled entity counts at once.
 * `atom_…` bearers are access tokens (§2.5), verified by their own credential row.
 */
export const JwtAuthenticatorLive = Layer.effect(
  Authenticator,
  Effect.gen(function* () {
    const config = yield* AtomConfig
    const keys = yield* KeyRing
    const sessions = yield* Sessions
    const options = { keys: keys.verifier, issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience }
    const authenticateAccessToken = makeAccessTokenAuthentication({
      tokens: yield* AccessTokens,
      kek: (yield* Kek).key,
      hasher: yield* PasswordHasher,
    })

    const authenticateJwt = (token: string) =>
      Effect.gen(function* () {
        const claims = verifyJwt(token, options)
        if (Either.isLeft(claims)) return yield* Effect.fail(claims.left)
        const ids = sessionIdentity(claims.right)
        if (Either.isLeft(ids)) return yield* Effect.fail(ids.left)
        const row = yield* sessions.withSubject(ids.right.sessionId)
        if (!row || row.entityId !== ids.right.entityId || row.entityDeleted || row.tenantDeleted === true) {
          return yield* refuse(AuthMessages.sessionNotFound)
        }
        if (row.revoked) return yield* refuse(AuthMessages.sessionRevoked)
        if (row.expiresAt.getTime() <= Date.now()) return yield* refuse(AuthMessages.sessionExpired)
        if (row.entityStatus !== "active") return yield* refuse(AuthMessages.entityNotActive)
        if (row.tenantId !== ids.right.tenantId) return yield* refuse(AuthMessages.tokenTenantMismatch)
        if (row.tenantId !== null && row.tenantStatus !== "active") return yield* refuse(AuthMessages.tenantNotActive)
        const caller: Caller = {
          entityId: row.entityId,
          tenantId: row.tenantId,
          sessionId: row.sessionId,
          credentialId: null,
          tokenKind: "jwt",
          scoped: false,
          expiresAt: row.expiresAt,
        }
        return caller
      })

    return {
      authenticate: (token: string) =>
        (isAccessTokenBearer(token) ? authenticateAccessToken(token) : authenticateJwt(token)).pipe(
          Effect.withSpan("Authenticator.authenticate"),
        ),
    }
  }),
)
