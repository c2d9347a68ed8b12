import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, RateLimited, Unauthenticated } from "@atom/domain/errors"
import { embeddedSharedKeyCredentialId, sharedKeyLookupHash } from "@atom/engines/tokens"
import { SharedKeys, type VerifierRow } from "@atom/repositories/credentials"
import type { DbFailure } from "@atom/repositories/db"
import { type AuthEntityRow, IdentityEntities, LoginAttempts, Passwords, TenantRefs } from "@atom/repositories/identity"
import { Effect, Option, Redacted } from "effect"
import { Kek } from "../auth/Kek.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"

/** The secrets a login (REST, GraphQL) or gRPC AuthenticateCredential may present. */
export type VerifiableKind = "password" | "shared_key"

export interface VerifyCredentialInput {
  readonly identifier: string
  readonly secret: Redacted.Redacted<string>
  /** the tenant selector, already resolved by `selectTenant` (null = none) */
  readonly tenantId: string | null
  readonly kind: VerifiableKind
}

export interface VerifiedCredential {
  readonly entityId: string
  /** the selected tenant, else the entity's own */
  readonly tenantId: string | null
  readonly entityTenantId: string | null
  readonly credentialId: string
  readonly kind: VerifiableKind
  /** undefined when the entity has no email */
  readonly emailVerified: boolean | undefined
}

export type VerifyError = Unauthenticated | InvalidInput | RateLimited | DbFailure

const INVALID = "invalid credentials"
const AMBIGUOUS = "tenant_id or tenant_alias required for this identifier"
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const unauthenticated = (message: string) => Effect.fail(new Unauthenticated({ message }))

/** `password` / `shared_key` (trimmed, any case; empty = password), else undefined. */
export const verifiableKind = (kind: string): VerifiableKind | undefined => {
  const k = kind.trim().toLowerCase()
  return k === "" || k === "password" ? "password" : k === "shared_key" ? "shared_key" : undefined
}

/**
 * Credential verification shared by login and gRPC AuthenticateCredential (identity-certs §2.2,
 * §2.9): tenant selector, lockout, identifier resolution, one password candidate or the shared-key
 * lookups, the email rule. Records every attempt; opens no session.
 */
export class CredentialVerifier extends Effect.Service<CredentialVerifier>()("atom/CredentialVerifier", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const entities = yield* IdentityEntities
    const tenants = yield* TenantRefs
    const passwords = yield* Passwords
    const sharedKeys = yield* SharedKeys
    const attempts = yield* LoginAttempts
    const hasher = yield* PasswordHasher
    const kek = (yield* Kek).key

    /** The tenant a login is scoped to: id xor alias; unknown/deleted → invalid credentials. */
    const selectTenant = (tenantId: string | null, tenantAlias: string | null) =>
      Effect.gen(function* () {
        if (tenantId !== null && tenantAlias !== null) {
          return yield* Effect.fail(new InvalidInput({ message: "provide either tenant_id or tenant_alias, not both" }))
        }
        if (tenantId === null && tenantAlias === null) return null
        const tenant =
          tenantId !== null
            ? UUID.test(tenantId)
              ? yield* tenants.byId(tenantId.toLowerCase())
              : undefined
            : yield* tenants.byAlias(tenantAlias ?? "")
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

    /** Exactly one ranked password: the one for the hinted email, else the null identifier, else newest. */
    const verifyPassword = (entityId: string, hint: string | null, secret: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const candidates = yield* passwords.active(entityId)
        const candidate =
          candidates.find((c) => hint !== null && c.identifier === hint) ??
          candidates.find((c) => c.identifier === null) ??
          candidates[0]
        if (!candidate) {
          yield* hasher.dummyVerify(secret)
          return undefined
        }
        if (!(yield* hasher.verify(candidate.secretHash, secret))) return undefined
        if (hasher.needsRehash(candidate.secretHash)) {
          yield* Effect.flatMap(hasher.hash(secret), (h) => passwords.updateHash(candidate.id, h))
        }
        return candidate.id
      })

    /** The first candidate whose argon2 hash the key matches. */
    const firstMatch = (rows: ReadonlyArray<VerifierRow>, secret: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        for (const row of rows) if (yield* hasher.verify(row.secretHash, secret)) return row.id
        return undefined
      })

    /** By the embedded id, then by the keyed digest, then among legacy rows without one. */
    const verifySharedKey = (entityId: string, secret: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const key = Redacted.value(secret)
        const embedded = embeddedSharedKeyCredentialId(key)
        if (Option.isSome(embedded)) {
          const byId = yield* firstMatch(yield* sharedKeys.loginById(entityId, embedded.value), secret)
          if (byId !== undefined) return byId
        }
        if (Option.isSome(kek)) {
          const digest = sharedKeyLookupHash(kek.value, key)
          const byDigest = yield* firstMatch(yield* sharedKeys.loginByLookupHash(entityId, digest), secret)
          if (byDigest !== undefined) return byDigest
        }
        const legacy = yield* sharedKeys.loginLegacy(entityId)
        if (legacy.length === 0) {
          yield* hasher.dummyVerify(secret)
          return undefined
        }
        return yield* firstMatch(legacy, secret)
      })

    const verify = (input: VerifyCredentialInput): Effect.Effect<VerifiedCredential, VerifyError> =>
      Effect.gen(function* () {
        const { tenantId } = input
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
        const credentialId =
          input.kind === "password"
            ? yield* verifyPassword(entity.id, hint, input.secret)
            : yield* verifySharedKey(entity.id, input.secret)
        if (credentialId === undefined) return yield* fail(INVALID)

        const emails = yield* entities.emails(entity.id)
        const emailVerified = emails.length === 0 ? undefined : emails.some((e) => e.verified)
        if (input.kind === "password" && emailVerified === false && !config.selfService.allowUnverifiedEmailLogin) {
          return yield* fail("email verification required")
        }
        yield* Effect.all([attempts.record(key, tenantId, true), passwords.touch(credentialId)])
        const verified: VerifiedCredential = {
          entityId: entity.id,
          tenantId: tenantId ?? entity.tenantId,
          entityTenantId: entity.tenantId,
          credentialId,
          kind: input.kind,
          emailVerified,
        }
        return verified
      }).pipe(Effect.withSpan("CredentialVerifier.verify", { attributes: { kind: input.kind } }))

    return { selectTenant, verify } as const
  }),
}) {}
