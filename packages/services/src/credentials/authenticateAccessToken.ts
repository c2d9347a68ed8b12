import { Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { KeyEncryptionKey } from "@atom/engines/secrets"
import {
  AuthMessages,
  accessTokenLookupHash,
  parseAccessToken,
  verifyAccessTokenLookupHash,
} from "@atom/engines/tokens"
import type { AccessTokens } from "@atom/repositories/credentials"
import type { DbFailure } from "@atom/repositories/db"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import type { PasswordHasherShape } from "../passwords/PasswordHasher.js"

/** How often at most a token's `last_used_at` is written. */
export const USAGE_STAMP_INTERVAL_MS = 5 * 60 * 1000

export interface AccessTokenAuthenticationDeps {
  readonly tokens: AccessTokens
  readonly kek: Option.Option<KeyEncryptionKey>
  readonly hasher: PasswordHasherShape
}

const refuse = (message: string) => Effect.fail(new Unauthenticated({ message }))

/**
 * Bearer `atom_…` authentication (identity-certs §2.5): strict parse, one indexed read by the
 * embedded credential id, the secret verified before any state is revealed (constant-time HMAC
 * under the KEK, or argon2 for rows minted without one), then revoked / expired / entity / tenant.
 * Best effort afterwards: upgrade an argon2 row to the digest, stamp `last_used_at` (≤ 1 per 5 min).
 */
export const makeAccessTokenAuthentication =
  ({ tokens, kek, hasher }: AccessTokenAuthenticationDeps) =>
  (token: string): Effect.Effect<Caller, Unauthenticated | DbFailure> =>
    Effect.gen(function* () {
      const parts = parseAccessToken(token)
      if (Either.isLeft(parts)) return yield* Effect.fail(parts.left)
      const { credentialId, secret } = parts.right
      const row = yield* tokens.forAuthentication(credentialId)
      if (!row) return yield* refuse(AuthMessages.apiKeyNotFound)

      let verified: boolean
      if (row.secretLookupHash !== null) {
        if (Option.isNone(kek)) return yield* refuse(AuthMessages.invalidApiKey)
        verified = verifyAccessTokenLookupHash(kek.value, secret, row.secretLookupHash)
      } else if (row.secretHash !== null) {
        verified = yield* hasher.verify(row.secretHash, Redacted.make(secret))
      } else {
        return yield* refuse(AuthMessages.invalidCredential)
      }
      if (!verified) return yield* refuse(AuthMessages.invalidApiKey)

      const now = yield* Clock.currentTimeMillis
      if (row.status !== "active") return yield* refuse(AuthMessages.apiKeyRevoked)
      if (row.expiresAt !== null && row.expiresAt.getTime() < now) return yield* refuse(AuthMessages.apiKeyExpired)
      if (row.entityStatus !== "active") return yield* refuse(AuthMessages.entityNotActive)
      if (row.tenantStatus !== null && row.tenantStatus !== "active") return yield* refuse(AuthMessages.tenantNotActive)

      const bestEffort = (what: string, effect: Effect.Effect<void, DbFailure>) =>
        effect.pipe(
          Effect.catchAll((e) =>
            Effect.logWarning(`access-token ${what} failed`).pipe(Effect.annotateLogs({ credentialId, error: e._tag })),
          ),
        )
      if (row.secretLookupHash === null && Option.isSome(kek)) {
        yield* bestEffort(
          "verifier upgrade",
          tokens.upgradeVerifier(credentialId, accessTokenLookupHash(kek.value, secret)),
        )
      }
      if (row.lastUsedAt === null || now - row.lastUsedAt.getTime() >= USAGE_STAMP_INTERVAL_MS) {
        yield* bestEffort("usage stamp", tokens.stampUsed(credentialId))
      }

      const caller: Caller = {
        entityId: row.entityId,
        tenantId: row.tenantId,
        sessionId: null,
        credentialId,
        tokenKind: "access_token",
        scoped: row.scoped,
        expiresAt: row.expiresAt,
      }
      return caller
    }).pipe(Effect.withSpan("Authenticator.accessToken"))
