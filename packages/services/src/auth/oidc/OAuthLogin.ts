import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { type AtomError, Forbidden, Internal, InvalidInput, NotFound, Unauthenticated } from "@atom/domain/errors"
import { newNonce, newPkcePair, normalizeReturnTo, verifyIdToken, withQuery } from "@atom/engines/oidc"
import {
  generateOpaqueToken,
  hashOpaqueSecret,
  issueSessionToken,
  OpaqueTokenPrefix,
  parseOpaqueToken,
  verifyOpaqueSecret,
} from "@atom/engines/tokens"
import { fromSqlError } from "@atom/repositories/db"
import { Sessions } from "@atom/repositories/identity"
import { AuthExchangeCodes, OAuthAccounts, OAuthIdentities, OAuthStates } from "@atom/repositories/oauth"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, Effect, Either, Option } from "effect"
import { AuditLog } from "../../audit/AuditLog.js"
import { enqueueAudit } from "../../audit/enqueueAudit.js"
import { KeyRing } from "../KeyRing.js"
import type { LoginResult } from "../Login.js"
import { findOidcProvider, oidcRedirectUri, requestedScopes } from "./configuredOidcProviders.js"
import { OidcHttp, type OidcProviderError } from "./OidcHttp.js"
import { oidcEntityCreateEvent, oidcLinkEvent, oidcLoginEvent } from "./oidcAuditEvents.js"

export interface OAuthCallbackInput {
  readonly provider: string
  readonly code: string | null
  readonly state: string | null
  readonly error: string | null
}

const INVALID_STATE = "invalid oauth state"
/** Spent states and codes are kept this long past their expiry, then removed as new ones are written. */
const PRUNE_AFTER_MS = 3_600_000
const INVALID_EXCHANGE_CODE = "invalid exchange code"
const isSqlError = (e: unknown): e is SqlError => e instanceof SqlError

/** Loose normalisation, as the reference applies to a provider's email claim. */
const normalizeEmail = (email: string) => email.trim().toLowerCase()

/**
 * OIDC sign-in (identity-certs §1.6): start redirects to the provider with a hashed single-use state,
 * a nonce and a PKCE S256 challenge; the callback consumes the state, redeems the code with the
 * verifier, verifies the ID token, links or onboards the entity and hands out a one-time exchange
 * code; exchange trades that code for a session.
 */
export class OAuthLogin extends Effect.Service<OAuthLogin>()("atom/OAuthLogin", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const http = yield* OidcHttp
    const states = yield* OAuthStates
    const codes = yield* AuthExchangeCodes
    const identities = yield* OAuthIdentities
    const accounts = yield* OAuthAccounts
    const sessions = yield* Sessions
    const keys = yield* KeyRing
    const audit = yield* AuditLog
    const transact = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      sql.withTransaction(effect).pipe(Effect.catchIf(isSqlError, (e) => Effect.fail(fromSqlError(e))))

    const providerNamed = (name: string) => {
      const provider = findOidcProvider(config, name)
      return provider === undefined
        ? Effect.fail(new NotFound({ message: "oauth provider not configured" }))
        : Effect.succeed(provider)
    }

    const providerDown = (provider: string) => (e: OidcProviderError) =>
      Effect.logWarning("oidc provider failure").pipe(
        Effect.annotateLogs({ provider, reason: e.message }),
        Effect.zipRight(Effect.fail(new Internal())),
      )

    const start = (providerName: string, returnTo: string | null) =>
      Effect.gen(function* () {
        if (!config.selfService.selfRegistrationEnabled) {
          return yield* new Forbidden({ reason: "self-registration is disabled" })
        }
        const provider = yield* providerNamed(providerName)
        const path = normalizeReturnTo(returnTo)
        if (Either.isLeft(path)) return yield* new InvalidInput({ message: path.left })
        const discovery = yield* http.discover(provider).pipe(Effect.catchAll(providerDown(provider.name)))
        const pkce = newPkcePair()
        const nonce = newNonce()
        const state = generateOpaqueToken(OpaqueTokenPrefix.oauthState)
        const now = yield* Clock.currentTimeMillis
        yield* states.insert({
          id: state.id,
          provider: provider.name,
          secretHash: hashOpaqueSecret(state.secret),
          pkceVerifier: pkce.verifier,
          nonce,
          returnTo: path.right,
          expiresAt: new Date(now + config.selfService.oauthStateExpirySecs * 1000),
        })
        yield* states.prune(new Date(now - PRUNE_AFTER_MS))
        return withQuery(discovery.authorization_endpoint, [
          ["response_type", "code"],
          ["client_id", provider.clientId],
          ["redirect_uri", oidcRedirectUri(config, provider)],
          ["scope", requestedScopes(provider).join(" ")],
          ["state", state.token],
          ["nonce", nonce],
          ["code_challenge", pkce.challenge],
          ["code_challenge_method", "S256"],
        ])
      }).pipe(Effect.withSpan("OAuthLogin.start", { attributes: { provider: providerName } }))

    /** Verifies the presented state against its row, then uses it up; any failure is `invalid oauth state`. */
    const consumeState = (provider: string, presented: string) =>
      Effect.gen(function* () {
        const invalid = new InvalidInput({ message: INVALID_STATE })
        const parsed = parseOpaqueToken(presented, OpaqueTokenPrefix.oauthState)
        if (Option.isNone(parsed)) return yield* invalid
        const row = yield* states.byId(parsed.value.id, provider)
        if (row === undefined || !verifyOpaqueSecret(parsed.value.secret, row.secretHash)) return yield* invalid
        const now = yield* Clock.currentTimeMillis
        if (row.consumedAt !== null || row.expiresAt.getTime() <= now) return yield* invalid
        if (!(yield* states.consume(row.id))) return yield* invalid
        return row
      })

    /** The `(provider, subject)` link, else the owner of the email, else a new global human. */
    const resolveEntity = (provider: string, subject: string, email: string) =>
      Effect.gen(function* () {
        const inactive = new Unauthenticated({ message: "entity is not active" })
        const profile = { subject, email, email_verified: true }
        const requireActive = (entityId: string) =>
          Effect.flatMap(accounts.lockForSignIn(entityId), (e) =>
            e !== undefined && e.status === "active" && e.tenantActive ? Effect.void : Effect.fail(inactive),
          )
        const linked = yield* identities.entityOf(provider, subject)
        if (linked !== undefined) {
          yield* requireActive(linked)
          yield* identities.refresh({ provider, subject, email, profile })
          return linked
        }
        const owner = yield* accounts.ownerOfEmail(email)
        if (owner !== undefined) {
          yield* requireActive(owner)
          yield* accounts.markEmailVerified(owner, email)
          yield* identities.insert({ entityId: owner, provider, subject, email, profile })
          yield* audit.recordInTx(oidcLinkEvent(owner, provider))
          return owner
        }
        const id = randomUUID()
        const name = email.slice(0, email.indexOf("@"))
        yield* accounts.insertHuman({ id, name })
        yield* accounts.insertVerifiedEmail(id, email)
        yield* identities.insert({ entityId: id, provider, subject, email, profile })
        yield* audit.recordInTx(oidcEntityCreateEvent(id, provider, name))
        return id
      })

    const callbackInner = (input: OAuthCallbackInput): Effect.Effect<string, AtomError | OidcProviderError> =>
      Effect.gen(function* () {
        if (input.error !== null) {
          return yield* new Unauthenticated({ message: `oauth provider error: ${input.error.slice(0, 200)}` })
        }
        if (input.code === null || input.code === "") return yield* new InvalidInput({ message: "missing oauth code" })
        if (input.state === null || input.state === "")
          return yield* new InvalidInput({ message: "missing oauth state" })
        if (!config.selfService.selfRegistrationEnabled) {
          return yield* new Forbidden({ reason: "self-registration is disabled" })
        }
        const provider = yield* providerNamed(input.provider)
        const state = yield* consumeState(provider.name, input.state)
        const discovery = yield* http.discover(provider)
        const idToken = yield* http.exchangeCode(provider, discovery, {
          code: input.code,
          verifier: state.pkceVerifier,
          redirectUri: oidcRedirectUri(config, provider),
        })
        const now = yield* Clock.currentTimeMillis
        const expectations = {
          issuer: discovery.issuer,
          clientId: provider.clientId,
          nonce: state.nonce,
          nowSecs: Math.floor(now / 1000),
        }
        let verified = verifyIdToken(idToken, yield* http.keys(provider, discovery, false), expectations)
        if (Either.isLeft(verified) && verified.left.reason === "unknown_key") {
          // the provider may have rotated its keys since they were cached
          verified = verifyIdToken(idToken, yield* http.keys(provider, discovery, true), expectations)
        }
        if (Either.isLeft(verified)) return yield* new Unauthenticated({ message: verified.left.message })
        const claims = verified.right
        if (!claims.emailVerified) return yield* new Unauthenticated({ message: "oauth email is not verified" })
        const email = claims.email === null ? "" : normalizeEmail(claims.email)
        if (email.indexOf("@") < 1)
          return yield* new Unauthenticated({ message: "oauth provider did not return email" })

        const exchange = generateOpaqueToken(OpaqueTokenPrefix.authExchangeCode)
        yield* transact(
          Effect.gen(function* () {
            const entityId = yield* resolveEntity(provider.name, claims.subject, email)
            yield* codes.insert({
              id: exchange.id,
              entityId,
              secretHash: hashOpaqueSecret(exchange.secret),
              expiresAt: new Date(now + config.selfService.authExchangeCodeExpirySecs * 1000),
            })
          }),
        )
        yield* codes.prune(new Date(now - PRUNE_AFTER_MS))
        return withQuery(config.selfService.oauthSuccessRedirect, [
          ["code", exchange.token],
          ["return_to", state.returnTo ?? ""],
        ])
      })

    /** Always a location: the success redirect with a code, or the error redirect with the reason. */
    const callback = (input: OAuthCallbackInput): Effect.Effect<string> =>
      callbackInner(input).pipe(
        Effect.catchAll((e) =>
          Effect.logInfo("oauth callback refused").pipe(
            Effect.annotateLogs({ provider: input.provider, reason: e.message }),
            Effect.as(withQuery(config.selfService.oauthErrorRedirect, [["error", e.message]])),
          ),
        ),
        Effect.withSpan("OAuthLogin.callback", { attributes: { provider: input.provider } }),
      )

    /** One use of an exchange code: a new session for its entity. Every refusal reads `invalid exchange code`. */
    const exchange = (presented: string) =>
      Effect.gen(function* () {
        const invalid = new InvalidInput({ message: INVALID_EXCHANGE_CODE })
        const parsed = parseOpaqueToken(presented, OpaqueTokenPrefix.authExchangeCode)
        if (Option.isNone(parsed)) return yield* invalid
        return yield* transact(
          Effect.gen(function* () {
            const row = yield* codes.byId(parsed.value.id)
            if (row === undefined || !verifyOpaqueSecret(parsed.value.secret, row.secretHash)) return yield* invalid
            const now = yield* Clock.currentTimeMillis
            if (row.consumedAt !== null || row.expiresAt.getTime() <= now) return yield* invalid
            const entityId = yield* codes.consume(row.id)
            if (entityId === undefined) return yield* invalid
            const entity = yield* accounts.lockForSignIn(entityId)
            if (entity === undefined || entity.status !== "active" || !entity.tenantActive) return yield* invalid
            const sessionId = randomUUID()
            const iat = Math.floor(now / 1000)
            const expiresAt = new Date((iat + config.auth.jwtExpirySecs) * 1000)
            yield* sessions.create({ id: sessionId, entityId, expiresAt })
            const { token } = issueSessionToken(
              {
                entityId,
                sessionId,
                tenantId: entity.tenantId,
                issuer: config.auth.jwtIssuer,
                audience: config.auth.jwtAudience,
                expirySecs: config.auth.jwtExpirySecs,
                now: iat,
              },
              keys.signer(),
            )
            return {
              token,
              entityId,
              sessionId,
              expiresAt,
              emailVerified: true,
              verificationRequired: false,
            } satisfies LoginResult
          }),
        )
      }).pipe(
        Effect.tapBoth({
          onSuccess: (r) => enqueueAudit(oidcLoginEvent(r.entityId, null)),
          onFailure: (e) => enqueueAudit(oidcLoginEvent(null, e.message)),
        }),
        Effect.withSpan("OAuthLogin.exchange"),
      )

    return { start, callback, exchange } as const
  }),
  dependencies: [OidcHttp.Default],
}) {}
