import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { Forbidden, InvalidInput } from "@atom/domain/errors"
import { AUTHENTICATED_USERS_GROUP_ID } from "@atom/domain/groups"
import { normalizeAccountEmail } from "@atom/domain/identity"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { Entities } from "@atom/repositories/entities"
import { GroupMembers } from "@atom/repositories/groups"
import { EmailVerificationTokens, EntityEmails, Passwords } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Either, Exit, Redacted } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { enqueueAudit } from "../audit/enqueueAudit.js"
import { transactionally } from "../entities/transactionally.js"
import { Mailer } from "../mail/Mailer.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { validateSignupPassword } from "../passwords/passwordPolicy.js"
import { signupEvent } from "./selfServiceEvents.js"
import { sendVerificationMail } from "./verificationMail.js"

export interface SignupInput {
  readonly name: string
  readonly email: string
  readonly password: Redacted.Redacted<string>
  readonly attributes: Readonly<Record<string, unknown>> | null
}

export interface SignupResult {
  readonly entityId: string
  readonly email: string
  readonly verificationRequired: true
}

const invalid = (message: string) => new InvalidInput({ message })

/** Refusals that are recorded as a denied `auth.signup` (400, 401, 403). */
const isRefusal = (e: unknown): e is { readonly _tag: string; readonly message: string } =>
  typeof e === "object" &&
  e !== null &&
  "_tag" in e &&
  (e._tag === "InvalidInput" || e._tag === "Unauthenticated" || e._tag === "Forbidden")

/**
 * Self-registration (identity-certs §1.6): a global human with its `authenticated-users` membership, an
 * unverified address, a password whose identifier is that address, and a verification token — one
 * transaction, with the verification mail (composed into the outbox) and the `auth.signup` record inside
 * it. Delivery happens after the commit, so a failed delivery never undoes the account.
 */
export class Signup extends Effect.Service<Signup>()("atom/Signup", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const entities = yield* Entities
    const members = yield* GroupMembers
    const emails = yield* EntityEmails
    const passwords = yield* Passwords
    const tokens = yield* EmailVerificationTokens
    const hasher = yield* PasswordHasher
    const mailer = yield* Mailer
    const audit = yield* AuditLog
    const inTransaction = transactionally(sql)
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)

    const create = (input: SignupInput) =>
      Effect.gen(function* () {
        if (!config.selfService.selfRegistrationEnabled) {
          return yield* new Forbidden({ reason: "self-registration is disabled" })
        }
        const name = input.name.trim()
        if (name === "") return yield* invalid("name is required")
        const password = Redacted.value(input.password)
        yield* Either.match(validateSignupPassword(password, config.auth.minPasswordChars), {
          onLeft: Effect.fail,
          onRight: () => Effect.void,
        })
        const email = yield* Either.match(normalizeAccountEmail(input.email), {
          onLeft: (message) => Effect.fail(invalid(message)),
          onRight: Effect.succeed,
        })
        const secretHash = yield* hasher.hash(input.password)
        const entityId = randomUUID()
        const emailId = randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* entities.insert(entityId, {
              kind: "human",
              name,
              alias: null,
              tenantId: null,
              profileId: null,
              profileVersionId: null,
              status: "active",
              attributes: input.attributes ?? {},
            })
            yield* members.add(AUTHENTICATED_USERS_GROUP_ID, entityId)
            yield* bump
            yield* emails.insert({ id: emailId, entityId, email })
            yield* passwords.insert({ id: randomUUID(), entityId, identifier: email, secretHash })
            yield* sendVerificationMail(config, mailer, tokens, { entityId, emailId, email })
            yield* audit.recordInTx(signupEvent("allow", { name, email }, entityId))
          }),
        )
        return { entityId, email, verificationRequired: true } as const satisfies SignupResult
      }).pipe(
        Effect.onExit((exit) => {
          if (Exit.isSuccess(exit)) return Effect.void
          const failure = Cause.failureOption(exit.cause)
          if (failure._tag === "None" || !isRefusal(failure.value)) return Effect.void
          const facts = { name: input.name, email: input.email.trim().toLowerCase() }
          return enqueueAudit(signupEvent("deny", facts, null, failure.value.message))
        }),
        Effect.withSpan("Signup.create"),
      )

    return { create } as const
  }),
}) {}
