import { AtomConfig } from "@atom/domain/config"
import { InvalidInput } from "@atom/domain/errors"
import { normalizeAccountEmail } from "@atom/domain/identity"
import { OpaqueTokenPrefix, parseOpaqueToken } from "@atom/engines/tokens"
import { EmailVerificationTokens, EntityEmails, IdentityEntities } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, FiberSet, Option } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { transactionally } from "../entities/transactionally.js"
import { Mailer } from "../mail/Mailer.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { emailTokenSecretMatches } from "./emailTokenSecret.js"
import { emailVerifiedEvent } from "./selfServiceEvents.js"
import { sendVerificationMail } from "./verificationMail.js"

const INVALID = "invalid verification token"
const EXPIRED = "verification token expired"
const invalid = (message: string) => new InvalidInput({ message })

/**
 * Email verification (identity-certs §1.6): `atomv_…` tokens, stored as verifiers only and spent once.
 * The secret is checked before anything about the token's state is said. Resend answers the same
 * whether or not the address exists: the lookup, the new token and the mail run after the answer.
 */
export class EmailVerification extends Effect.Service<EmailVerification>()("atom/EmailVerification", {
  scoped: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const tokens = yield* EmailVerificationTokens
    const emails = yield* EntityEmails
    const identities = yield* IdentityEntities
    const hasher = yield* PasswordHasher
    const mailer = yield* Mailer
    const audit = yield* AuditLog
    const background = yield* FiberSet.make()
    const inTransaction = transactionally(sql)

    const verify = (token: string) =>
      Effect.gen(function* () {
        const parsed = parseOpaqueToken(token.trim(), OpaqueTokenPrefix.emailVerification)
        if (Option.isNone(parsed)) return yield* invalid(INVALID)
        const row = yield* tokens.byId(parsed.value.id)
        if (row === undefined || !(yield* emailTokenSecretMatches(hasher, row, parsed.value.secret))) {
          return yield* invalid(INVALID)
        }
        const now = yield* Clock.currentTimeMillis
        if (row.consumedAt !== null || row.expiresAt.getTime() <= now) return yield* invalid(EXPIRED)
        yield* inTransaction(
          Effect.gen(function* () {
            const entity = yield* identities.lockActive(row.entityId)
            if (entity === undefined) return yield* invalid(INVALID)
            if (!(yield* tokens.consume(row.id))) return yield* invalid(EXPIRED)
            yield* emails.markVerified(row.emailId)
            yield* audit.recordInTx(emailVerifiedEvent(row.entityId, entity.tenantId))
          }),
        )
        return true as const
      }).pipe(Effect.withSpan("EmailVerification.verify"))

    /** A fresh token and mail for an unverified address of an active human; earlier tokens stay valid. */
    const issue = (email: string) =>
      Effect.gen(function* () {
        const owner = yield* emails.unverifiedActiveHumanOwner(email)
        if (owner === undefined) return
        yield* inTransaction(sendVerificationMail(config, mailer, tokens, { ...owner, email }))
      }).pipe(
        Effect.catchAll((e) =>
          Effect.logWarning("verification resend failed").pipe(Effect.annotateLogs("error", e.message)),
        ),
        Effect.withSpan("EmailVerification.issue"),
      )

    /** Always succeeds for a well-formed address; a malformed one is the caller's 400. */
    const resend = (email: string) =>
      Effect.gen(function* () {
        const normalized = yield* Either.match(normalizeAccountEmail(email), {
          onLeft: (message) => Effect.fail(invalid(message)),
          onRight: Effect.succeed,
        })
        yield* FiberSet.run(background, issue(normalized))
      }).pipe(Effect.withSpan("EmailVerification.resend"))

    return { verify, resend } as const
  }),
}) {}
