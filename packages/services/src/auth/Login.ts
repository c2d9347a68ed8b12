import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, RateLimited, Unauthenticated } from "@atom/domain/errors"
import { issueSessionToken } from "@atom/engines/tokens"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import {
  type AuthEntityRow,
  IdentityEntities,
  LoginAttempts,
  Passwords,
  Sessions,
  TenantRefs,
} from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Effect, type Redacted } from "effect"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
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

const INVALID = "invalid credentials"
const AMBIGUOUS = "tenant_id or tenant_alias required for this identifier"
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const unauthenticated = (message: string) => Effect.fail(new Unauthenticated({ message }))

/** Password login (identity-certs §2.2): resolve the tenant and the entity, verify one candidate, open a session. */
export class Login extends Effect.Service<Login>()("atom/Login", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const entities = yield* IdentityEntities
    const tenants = yield* TenantRefs
    const passwords = yield* Passwords
    const sessions = yield* Sessions
    const attempts = yield* LoginAttempts
    const hasher = yield* PasswordHasher
    const keys = yield* KeyRing

    const selectTenant = (input: LoginInput) =>
      Effect.gen(function* () {
        if (input.tenantId !== null && input.tenantAlias !== null) {
          return yield* Effect.fail(new InvalidInput({ message: "provide either tenant_id or tenant_alias, not both" }))
        }
        if (input.tenantId === null && input.tenantAlias === null) return null
        const tenant =
          input.tenantId !== null
            ? UUID.test(input.tenantId)
              ? yield* tenants.byId(input.tenantId.toLowerCase())
              : undefined
            : yield* tenants.byAlias(input.tenantAlias ?? "")
        if (!tenant || tenant.deleted) return yield* unauthenticated(INVALID)
        if (tenant.status !== "active") return yield* unauthenticated("tenant is not active")
        return tenant.id
      })

    /** The resolution order of §2.2; `hint` is the email the identifier matched, if any. */
    const resolveEntity = (identifier: string, tenantId: string | null) =>
      Effect.gen(function* () {
        const pick = (rows: ReadonlyArray<AuthEntityRow>) =>
          rows.length > 1 ? unauthenticated(tenantId === null ? AMBIGUOUS : INVALID) : Effect.succeed(rows[0])
        const normalized = identifier.trim().toLowerCase()
        if (normalized.includes("@")) {
          const byEmail = yield* pick(yield* entities.byEmail(normalized, tenantId))
          if (byEmail) return { entity: byEmail, hint: normalized }
          const byAttribute = yield* pick(yield* entities.byAttributeEmail(normalized, tenantId))
          if (byAttribute) return { entity: byAttribute, hint: normalized }
        }
        if (UUID.test(identifier.trim())) {
          const byId = yield* entities.byId(identifier.trim().toLowerCase())
          if (byId && (tenantId === null || byId.tenantId === tenantId)) return { entity: byId, hint: null }
        }
        const byName = yield* pick(yield* entities.byName(identifier, tenantId))
        if (byName) return { entity: byName, hint: null }
        if (tenantId !== null) {
          const byAlias = yield* pick(yield* entities.byAlias(identifier.trim(), tenantId))
          if (byAlias) return { entity: byAlias, hint: null }
        }
        return yield* unauthenticated(INVALID)
      })

    const login = (input: LoginInput): Effect.Effect<LoginResult, LoginError> =>
      Effect.gen(function* () {
        const kind = input.kind.trim().toLowerCase()
        if (kind !== "password") {
          return yield* Effect.fail(new InvalidInput({ message: `unsupported credential kind: ${input.kind}` }))
        }
        const tenantId = yield* selectTenant(input)
        const key = input.identifier.trim().toLowerCase()
        const failures = yield* attempts.recentFailures(key, tenantId, config.auth.loginFailureWindowSecs)
        if (failures >= config.auth.loginFailureLimit) {
          yield* attempts.record(key, tenantId, false)
          return yield* Effect.fail(
            new RateLimited({
              message: "too many failed login attempts",
              retryAfterSecs: config.auth.loginFailureWindowSecs,
            }),
          )
        }
        const fail = (message: string) =>
          Effect.zipRight(attempts.record(key, tenantId, false), unauthenticated(message))

        const resolved = yield* Effect.either(resolveEntity(input.identifier, tenantId))
        if (resolved._tag === "Left") {
          // spend the same time as a real verification, so unknown identifiers cannot be told apart
          yield* hasher.dummyVerify(input.secret)
          return yield* Effect.zipRight(attempts.record(key, tenantId, false), Effect.fail(resolved.left))
        }
        const { entity, hint } = resolved.right
        if (entity.status !== "active") return yield* fail("entity is not active")
        if (entity.tenantId !== null && (entity.tenantDeleted === true || entity.tenantStatus !== "active")) {
          return yield* fail("tenant is not active")
        }
        const candidates = yield* passwords.active(entity.id)
        const candidate =
          candidates.find((c) => hint !== null && c.identifier === hint) ??
          candidates.find((c) => c.identifier === null) ??
          candidates[0]
        if (!candidate) {
          yield* hasher.dummyVerify(input.secret)
          return yield* fail(INVALID)
        }
        if (!(yield* hasher.verify(candidate.secretHash, input.secret))) return yield* fail(INVALID)

        const emails = yield* entities.emails(entity.id)
        const emailVerified = emails.length === 0 ? undefined : emails.some((e) => e.verified)
        if (emailVerified === false && !config.selfService.allowUnverifiedEmailLogin) {
          return yield* fail("email verification required")
        }
        if (hasher.needsRehash(candidate.secretHash)) {
          yield* Effect.flatMap(hasher.hash(input.secret), (h) => passwords.updateHash(candidate.id, h))
        }

        const sessionId = randomUUID()
        const expiresAt = new Date(Date.now() + config.auth.jwtExpirySecs * 1000)
        yield* sql
          .withTransaction(
            Effect.all([
              sessions.create({ id: sessionId, entityId: entity.id, expiresAt }),
              passwords.touch(candidate.id),
              attempts.record(key, tenantId, true),
            ]),
          )
          .pipe(Effect.catchTag("SqlError", (e) => Effect.fail(fromSqlError(e))))
        const { token } = issueSessionToken(
          {
            entityId: entity.id,
            sessionId,
            tenantId: entity.tenantId,
            issuer: config.auth.jwtIssuer,
            audience: config.auth.jwtAudience,
            expirySecs: config.auth.jwtExpirySecs,
            now: Math.floor(expiresAt.getTime() / 1000) - config.auth.jwtExpirySecs,
          },
          keys.signer(),
        )
        return {
          token,
          entityId: entity.id,
          sessionId,
          expiresAt,
          emailVerified,
          verificationRequired: emailVerified === false,
        }
      }).pipe(Effect.withSpan("Login.login"))

    return { login } as const
  }),
}) {}
