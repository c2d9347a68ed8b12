import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { InvalidInput } from "@atom/domain/errors"
import { normalizeAccountEmail } from "@atom/domain/identity"
import { OpaqueTokenPrefix, parseOpaqueToken } from "@atom/engines/tokens"
import { EntityEmails, IdentityEntities, PasswordResetTokens, Passwords, Sessions } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, FiberSet, Option, Redacted } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { transactionally } from "../entities/transactionally.js"
import { Mailer } from "../mail/Mailer.js"
import { sendTokenMail } from "../mail/tokenMail.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { validatePasswordReset } from "../passwords/passwordPolicy.js"
import { emailTokenSecretMatches } from "./emailTokenSecret.js"
import { passwordResetEvent } from "./selfServiceEvents.js"

/** Reset tokens live 30 minutes (identity-certs §1.6). */
export const PASSWORD_RESET_TTL_SECS = 1800

const INVALID = "invalid password reset token"
const EXPIRED = "password reset token expired"
const invalid = (message: string) => new InvalidInput({ message })

export interface PasswordResetConfirmation {
  readonly token: string
  readonly password: Redacted.Redacted<string>
  readonly confirmPassword: Redacted.Redacted<string> | null
}

const originOf = (url: string): string | undefined => (URL.canParse(url) ? new URL(url).origin : undefined)

/**
 * Password reset (identity-certs §1.6). A request answers the same whether or not the address exists; the
 * lookup, token and mail run after the answer. The link's base is configuration: a requested
 * `redirect_url` is used only on an origin Atom already trusts (the reset page's, the public base URL's,
 * or a CORS origin), never one the requester chooses freely. A reset spends its token once, revokes every
 * password and session of the entity and adds the new password, in one transaction.
 */
export class PasswordReset extends Effect.Service<PasswordReset>()("atom/PasswordReset", {
  scoped: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const tokens = yield* PasswordResetTokens
    const emails = yield* EntityEmails
    const identities = yield* IdentityEntities
    const passwords = yield* Passwords
    const sessions = yield* Sessions
    const hasher = yield* PasswordHasher
    const mailer = yield* Mailer
    const audit = yield* AuditLog
    const background = yield* FiberSet.make()
    const inTransaction = transactionally(sql)

    const trustedOrigins = new Set(
      [config.selfService.passwordResetRedirect, config.publicBaseUrl, ...config.corsAllowedOrigins].flatMap(
        (u) => originOf(u) ?? [],
      ),
    )
    const linkBase = (requested: string | null): string => {
      const wanted = requested?.trim() ?? ""
      const origin = wanted === "" ? undefined : originOf(wanted)
      return origin !== undefined && trustedOrigins.has(origin) ? wanted : config.selfService.passwordResetRedirect
    }

    const issue = (email: string, base: string) =>
      Effect.gen(function* () {
        const owner = yield* emails.activeHumanOwner(email)
        if (owner === undefined) return
        const now = yield* Clock.currentTimeMillis
        yield* inTransaction(
          sendTokenMail(
            mailer,
            { prefix: OpaqueTokenPrefix.passwordReset, template: "password_reset", recipient: email, linkBase: base },
            (token) =>
              tokens.insert({
                ...token,
                entityId: owner.entityId,
                emailId: owner.emailId,
                expiresAt: new Date(now + PASSWORD_RESET_TTL_SECS * 1000),
              }),
          ),
        )
      }).pipe(
        Effect.catchAll((e) =>
          Effect.logWarning("password reset request failed").pipe(Effect.annotateLogs("error", e.message)),
        ),
        Effect.withSpan("PasswordReset.issue"),
      )

    /** Always succeeds for a well-formed address; a malformed one is the caller's 400. */
    const request = (email: string, redirectUrl: string | null) =>
      Effect.gen(function* () {
        const normalized = yield* Either.match(normalizeAccountEmail(email), {
          onLeft: (message) => Effect.fail(invalid(message)),
          onRight: Effect.succeed,
        })
        yield* FiberSet.run(background, issue(normalized, linkBase(redirectUrl)))
      }).pipe(Effect.withSpan("PasswordReset.request"))

    const reset = (input: PasswordResetConfirmation) =>
      Effect.gen(function* () {
        const password = Redacted.value(input.password)
        const confirm = input.confirmPassword === null ? null : Redacted.value(input.confirmPassword)
        yield* Either.match(validatePasswordReset(password, confirm, config.auth.minPasswordChars), {
          onLeft: Effect.fail,
          onRight: () => Effect.void,
        })
        const parsed = parseOpaqueToken(input.token.trim(), OpaqueTokenPrefix.passwordReset)
        if (Option.isNone(parsed)) return yield* invalid(INVALID)
        const row = yield* tokens.byId(parsed.value.id)
        if (row === undefined || !(yield* emailTokenSecretMatches(hasher, row, parsed.value.secret))) {
          return yield* invalid(INVALID)
        }
        const now = yield* Clock.currentTimeMillis
        if (row.consumedAt !== null || row.expiresAt.getTime() <= now) return yield* invalid(EXPIRED)
        const email = yield* emails.address(row.emailId)
        if (email === undefined) return yield* invalid(INVALID)
        const secretHash = yield* hasher.hash(input.password)
        yield* inTransaction(
          Effect.gen(function* () {
            // an inactive or deleted entity leaves the token unspent (the transaction rolls back)
            const entity = yield* identities.lockActive(row.entityId)
            if (entity === undefined) return yield* invalid(INVALID)
            if (!(yield* tokens.consume(row.id))) return yield* invalid(EXPIRED)
            yield* passwords.revokeAllOf(row.entityId, "password_reset")
            yield* passwords.insert({ id: randomUUID(), entityId: row.entityId, identifier: email, secretHash })
            yield* sessions.revokeAllOf(row.entityId)
            yield* audit.recordInTx(passwordResetEvent(row.entityId, entity.tenantId))
          }),
        )
      }).pipe(Effect.withSpan("PasswordReset.reset"))

    return { request, reset } as const
  }),
}) {}
