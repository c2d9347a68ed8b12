import { AtomConfig } from "@atom/domain/config"
import { Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { AuthMessages, isAccessTokenBearer, sessionIdentity, verifyJwt } from "@atom/engines/tokens"
import { AccessTokens } from "@atom/repositories/credentials"
import { notLiveFeed, RevisionFeed } from "@atom/repositories/db"
import { Sessions } from "@atom/repositories/identity"
import { Clock, Effect, Either, Layer, Option } from "effect"
import { makeAccessTokenAuthentication, USAGE_STAMP_INTERVAL_MS } from "../credentials/authenticateAccessToken.js"
import { AtomMetrics } from "../metrics/AtomMetrics.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { Authenticator } from "./Authenticator.js"
import { Kek } from "./Kek.js"
import { KeyRing } from "./KeyRing.js"
import { makeTokenCache, tokenDigest, type VerifiedToken } from "./TokenCache.js"

const refuse = (message: string) => Effect.fail(new Unauthenticated({ message }))

const always = () => true

/**
 * Verifies session JWTs (identity-certs §2.3): signature and claims in memory, then the live
 * session, entity and tenant in one query, so a logout or a disabled entity counts at once.
 * `atom_…` bearers are access tokens (§2.5), verified by their own credential row.
 * A verified token is remembered by its SHA-256 (TokenCache) until it expires or the change feed
 * announces a change — a logout, a revocation, a disabled entity — so a warm request reads nothing.
 */
export const JwtAuthenticatorLive = Layer.effect(
  Authenticator,
  Effect.gen(function* () {
    const config = yield* AtomConfig
    const keys = yield* KeyRing
    const sessions = yield* Sessions
    const options = { keys: keys.verifier, issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience }
    const tokens = yield* AccessTokens
    const authenticateAccessToken = makeAccessTokenAuthentication({
      tokens,
      kek: (yield* Kek).key,
      hasher: yield* PasswordHasher,
    })
    const cache = makeTokenCache(Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed))
    const metrics = yield* Effect.serviceOption(AtomMetrics)
    if (Option.isSome(metrics)) {
      const { tokenCacheLookups, tokenCacheInvalidations } = metrics.value.instruments
      tokenCacheLookups.collect(() => {
        const s = cache.stats()
        return [
          [{ result: "hit" }, s.hits],
          [{ result: "miss" }, s.misses],
        ]
      })
      tokenCacheInvalidations.collect(() => [[{}, cache.stats().invalidations]])
    }
    // when each remembered access token last had its `last_used_at` written
    const stampedAt = new Map<string, number>()

    const authenticateJwt = (token: string) =>
      Effect.gen(function* () {
        // the key that vouched for the token: a remembered token is good only while it still does
        let used: { readonly kid: string; readonly key: unknown } | undefined
        const verify = () =>
          verifyJwt(token, {
            ...options,
            keys: (kid: string) => {
              const key = keys.verifier(kid)
              used = { kid, key }
              return key
            },
          })
        let claims = verify()
        // a key another replica just made primary: reload the ring (when a change was announced) and try again
        const unknownKid = used !== undefined && used.key === undefined ? used.kid : undefined
        if (
          Either.isLeft(claims) &&
          unknownKid !== undefined &&
          (yield* keys.verifierFresh(unknownKid)) !== undefined
        ) {
          claims = verify()
        }
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
        const vouching = used
        const verified: VerifiedToken = {
          caller,
          validUntilMs: Math.min(row.expiresAt.getTime(), claims.right.exp * 1000),
          stillVouched: vouching === undefined ? () => false : () => keys.verifier(vouching.kid) === vouching.key,
        }
        return verified
      })

    const verifyAccessToken = (token: string) =>
      Effect.map(
        authenticateAccessToken(token),
        (caller): VerifiedToken => ({
          caller,
          validUntilMs: caller.expiresAt === null ? Number.POSITIVE_INFINITY : caller.expiresAt.getTime(),
          stillVouched: always,
        }),
      )

    /** Whether a remembered caller's `last_used_at` was written within the interval (or it has none). */
    const stampFresh = (caller: Caller, nowMs: number): boolean => {
      const id = caller.credentialId
      if (id === null) return true
      const last = stampedAt.get(id)
      return last !== undefined && nowMs - last < USAGE_STAMP_INTERVAL_MS
    }

    /** A remembered access token still has `last_used_at` written at most once per interval. */
    const stampUsage = (caller: Caller, nowMs: number) => {
      const id = caller.credentialId
      if (id === null || stampFresh(caller, nowMs)) return Effect.void
      const last = stampedAt.get(id)
      stampedAt.set(id, nowMs)
      if (stampedAt.size > 2 * cache.capacity) stampedAt.clear()
      if (last === undefined) return Effect.void
      return tokens.stampUsed(id).pipe(Effect.catchAll(() => Effect.void))
    }

    const authenticate = (token: string) =>
      Effect.gen(function* () {
        const digest = tokenDigest(token)
        const nowMs = yield* Clock.currentTimeMillis
        const remembered = cache.get(digest, nowMs)
        if (remembered !== undefined) {
          yield* stampUsage(remembered.caller, nowMs)
          return remembered.caller
        }
        const startedAt = cache.stamp()
        const verified = yield* isAccessTokenBearer(token) ? verifyAccessToken(token) : authenticateJwt(token)
        cache.remember(digest, startedAt, verified)
        if (verified.caller.credentialId !== null) stampedAt.set(verified.caller.credentialId, nowMs)
        return verified.caller
      }).pipe(Effect.withSpan("Authenticator.authenticate", { captureStackTrace: false }))

    const remembered = (token: string, nowMs: number): Caller | undefined => {
      const hit = cache.peek(tokenDigest(token), nowMs)
      if (hit === undefined || !stampFresh(hit.caller, nowMs)) return undefined
      cache.countHit()
      return hit.caller
    }

    return { authenticate, remembered }
  }),
)
