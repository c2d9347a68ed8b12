import { randomBytes, randomUUID } from "node:crypto"
import { AuditEventName } from "@atom/domain/audit"
import type { AtomConfigShape } from "@atom/domain/config"
import { AuditLogs } from "@atom/repositories/audit"
import { DbLive } from "@atom/repositories/db"
import { IdentityEntities, Passwords, Sessions } from "@atom/repositories/identity"
import { AuditChains, AuditLog } from "@atom/services/audit"
import { PasswordHasher, validatePasswordForEntity } from "@atom/services/passwords"
import { Effect, Either, Layer, Logger, LogLevel, Redacted } from "effect"
import { describeError } from "../describeError.js"
import { badInput, CliFailure, failedWith } from "./CliFailure.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The entity named on the command line: its id, or the name of a global entity (`admin`). */
const resolveEntity = (reference: string) =>
  Effect.gen(function* () {
    const entities = yield* IdentityEntities
    const ref = reference.trim()
    if (UUID.test(ref)) {
      const entity = yield* entities.byId(ref.toLowerCase())
      if (entity === undefined) return yield* badInput(`entity ${ref} not found`)
      return entity
    }
    const named = yield* entities.byName(ref, null)
    const [entity] = named
    if (entity === undefined) return yield* badInput(`entity ${ref} not found (give its id or a global entity's name)`)
    if (named.length > 1) return yield* badInput(`more than one global entity is named ${ref}: give its id`)
    return entity
  })

export interface ResetPasswordInput {
  readonly entity: string
  /** the new password; a random one is generated when absent */
  readonly password: Redacted.Redacted<string> | undefined
}

/**
 * `atom admin reset-password`: replaces every password of an entity with one new password and ends its
 * sessions, audited as `auth.password_reset` (actor: none, via the command line) in the same transaction.
 * Resolves to the generated password, or undefined when the caller gave one.
 */
export const resetPassword = (
  config: AtomConfigShape,
  input: ResetPasswordInput,
): Effect.Effect<
  { readonly entityId: string; readonly generated: Redacted.Redacted<string> | undefined },
  CliFailure
> =>
  Effect.gen(function* () {
    const entity = yield* resolveEntity(input.entity)
    const generated = input.password === undefined ? Redacted.make(randomBytes(18).toString("base64url")) : undefined
    const password = input.password ?? generated
    if (password === undefined) return yield* failedWith("no password")
    const strength = validatePasswordForEntity(
      entity.kind === "human",
      Redacted.value(password),
      config.auth.minPasswordChars,
    )
    if (Either.isLeft(strength)) return yield* badInput(strength.left.message)
    const hasher = yield* PasswordHasher
    const secretHash = yield* hasher.hash(password)
    const passwords = yield* Passwords
    const sessions = yield* Sessions
    const audit = yield* AuditLog
    yield* audit.transactionally(
      Effect.gen(function* () {
        const [newest] = yield* passwords.active(entity.id)
        yield* passwords.revokeAllOf(entity.id, "admin_reset")
        yield* passwords.insert({
          id: randomUUID(),
          entityId: entity.id,
          identifier: newest?.identifier ?? null,
          secretHash,
        })
        yield* sessions.revokeAllOf(entity.id)
      }),
      () => ({
        event: AuditEventName.authPasswordReset,
        outcome: "allow",
        actorId: null,
        tenantId: entity.tenantId,
        targetKind: "entity",
        targetId: entity.id,
        details: { via: "cli", passwords_revoked: true, sessions_revoked: true },
      }),
    )
    return { entityId: entity.id, generated }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        IdentityEntities.Default,
        Passwords.Default,
        Sessions.Default,
        AuditLog.Live,
        PasswordHasher.layer,
      ).pipe(
        Layer.provideMerge(AuditChains.Live),
        Layer.provideMerge(AuditLogs.Default),
        Layer.provideMerge(DbLive({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.db })),
      ),
    ),
    Effect.mapError((e) => (e instanceof CliFailure ? e : failedWith(describeError(e)))),
    Logger.withMinimumLogLevel(LogLevel.Warning),
  )
