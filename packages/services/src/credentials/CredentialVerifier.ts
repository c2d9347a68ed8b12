import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, RateLimited, Unauthenticated } from "@atom/domain/errors"
import { embeddedSharedKeyCredentialId, sharedKeyLookupHash } from "@atom/engines/tokens"
import { SharedKeys, type VerifierRow } from "@atom/repositories/credentials"
import type { DbFailure } from "@atom/repositories/db"
import {
  LoginAttempts,
  type LoginCandidateRow,
  type LoginResolutionStep,
  LoginStatements,
  Passwords,
  TenantRefs,
} from "@atom/repositories/identity"
import { Effect, Option, Redacted } from "effect"
import { Kek } from "../auth/Kek.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { lowPriorityTurn } from "../scheduling/lowPriorityTurn.js"

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

/** A verified credential and the session its login opened. */
export interface VerifiedSession extends VerifiedCredential {
  readonly sessionId: string
  readonly expiresAt: Date
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

/** The resolution order of §2.2 as lookup steps; the first that matches wins. */
const resolutionSteps = (identifier: string, tenantId: string | null): ReadonlyArray<LoginResolutionStep> => {
  const trimmed = identifier.trim()
  const normalized = trimmed.toLowerCase()
  return [
    ...(normalized.includes("@")
      ? [{ by: "email", email: normalized } as const, { by: "attributeEmail", email: normalized } as const]
      : []),
    ...(UUID.test(trimmed) ? [{ by: "id", id: normalized } as const] : []),
    { by: "name", name: identifier },
    ...(tenantId !== null ? [{ by: "alias", alias: trimmed } as const] : []),
  ]
}

/**
 * Credential verification shared by login and gRPC AuthenticateCredential (identity-certs §2.2,
 * §2.9): tenant selector, lockout, identifier resolution, one password candidate or the shared-key
 * lookups, the email rule. Records every attempt; opens no session.
 */
export class CredentialVerifier extends Effect.Service<CredentialVerifier>()("atom/CredentialVerifier", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const statements = yield* LoginStatements
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

    /** Spends one verification on the ranked password (or a dummy one when there is none). */
    const verifyPassword = (candidate: LoginCandidateRow, secret: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const { passwordId, passwordHash } = candidate
        if (passwordId === null || passwordHash === null) {
          yield* hasher.dummyVerify(secret)
          return undefined
        }
        if (!(yield* hasher.verify(passwordHash, secret))) return undefined
        if (hasher.needsRehash(passwordHash)) {
          yield* Effect.flatMap(hasher.hash(secret), (h) => passwords.updateHash(passwordId, h))
        }
        return passwordId
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

    /**
     * Everything but the success's writes: lockout, resolution, the secret, the email rule. Each refusal
     * records a failed attempt. One statement reads the count, the entity, its ranked password and emails.
     */
    const check = (input: VerifyCredentialInput): Effect.Effect<VerifiedCredential, VerifyError> =>
      Effect.gen(function* () {
        const { tenantId } = input
        const key = input.identifier.trim().toLowerCase()
        yield* lowPriorityTurn
        const found = yield* statements.lookup({
          attemptKey: key,
          tenantId,
          windowSecs: config.auth.loginFailureWindowSecs,
          steps: resolutionSteps(input.identifier, tenantId),
        })
        if (found.failures >= config.auth.loginFailureLimit) {
          yield* attempts.recordFailure(key, tenantId)
          return yield* Effect.fail(
            new RateLimited({
              message: "too many failed login attempts",
              retryAfterSecs: config.auth.loginFailureWindowSecs,
            }),
          )
        }
        const fail = (message: string) =>
          Effect.zipRight(attempts.recordFailure(key, tenantId), unauthenticated(message))

        const [entity, other] = found.candidates
        if (entity === undefined || other !== undefined) {
          // spend the same time as a real verification, so unknown identifiers cannot be told apart
          yield* hasher.dummyVerify(input.secret)
          return yield* fail(entity === undefined || tenantId !== null ? INVALID : AMBIGUOUS)
        }
        if (entity.status !== "active") return yield* fail("entity is not active")
        if (entity.tenantId !== null && (entity.tenantDeleted === true || entity.tenantStatus !== "active")) {
          return yield* fail("tenant is not active")
        }
        const credentialId =
          input.kind === "password"
            ? yield* verifyPassword(entity, input.secret)
            : yield* verifySharedKey(entity.id, input.secret)
        if (credentialId === undefined) return yield* fail(INVALID)

        const emailVerified = entity.emailCount === 0 ? undefined : entity.emailVerified
        if (input.kind === "password" && emailVerified === false && !config.selfService.allowUnverifiedEmailLogin) {
          return yield* fail("email verification required")
        }
        const verified: VerifiedCredential = {
          entityId: entity.id,
          tenantId: tenantId ?? entity.tenantId,
          entityTenantId: entity.tenantId,
          credentialId,
          kind: input.kind,
          emailVerified,
        }
        return verified
      })

    const success = (input: VerifyCredentialInput, verified: VerifiedCredential) => ({
      attemptKey: input.identifier.trim().toLowerCase(),
      tenantId: input.tenantId,
      entityId: verified.entityId,
      credentialId: verified.credentialId,
    })

    /** Verifies a credential and records the success (gRPC AuthenticateCredential); opens no session. */
    const verify = (input: VerifyCredentialInput): Effect.Effect<VerifiedCredential, VerifyError> =>
      check(input).pipe(
        Effect.tap((verified) => statements.succeed(success(input, verified))),
        Effect.withSpan("CredentialVerifier.verify", { attributes: { kind: input.kind } }),
      )

    /**
     * Verifies a credential and, in the success's one transaction, opens session `sessionId` for `ttlSecs`
     * (login). An entity suspended meanwhile gets no session: its attempt is recorded as failed.
     */
    const verifyAndOpenSession = (
      input: VerifyCredentialInput,
      sessionId: string,
      ttlSecs: number,
    ): Effect.Effect<VerifiedSession, VerifyError> =>
      Effect.gen(function* () {
        const verified = yield* check(input)
        // the hash came back on a worker's message: requests that arrived meanwhile go first
        yield* lowPriorityTurn
        const expiresAt = new Date(Date.now() + ttlSecs * 1000)
        const live = yield* statements.succeed({ ...success(input, verified), session: { id: sessionId, expiresAt } })
        if (!live) return yield* unauthenticated("entity is not active")
        return { ...verified, sessionId, expiresAt }
      }).pipe(
        Effect.withSpan("CredentialVerifier.verify", { attributes: { kind: input.kind }, captureStackTrace: false }),
      )

    return { selectTenant, verify, verifyAndOpenSession } as const
  }),
}) {}
