import { randomBytes, randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { IdentityEntities, Passwords } from "@atom/repositories/identity"
import { Data, Effect, Either, Layer, Option, Redacted } from "effect"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { validatePasswordForEntity } from "../passwords/passwordPolicy.js"

export class BootstrapFailed extends Data.TaggedError("BootstrapFailed")<{ readonly message: string }> {}

/**
 * Boot passwords (identity-certs §1.8): ADMIN_SECRET / ATOM_SERVICE_SECRET give the admin and the
 * service entity a password when they have none. In embedded mode with no ADMIN_SECRET, a random
 * admin password is generated and printed once — the zero-setup start; it is never shown again.
 */
export const BootstrapAdmin = Layer.effectDiscard(
  Effect.gen(function* () {
    const config = yield* AtomConfig
    const entities = yield* IdentityEntities
    const passwords = yield* Passwords
    const hasher = yield* PasswordHasher

    const ensure = (entityId: string, secret: Redacted.Redacted<string>, label: string) =>
      Effect.gen(function* () {
        const entity = yield* entities.byId(entityId)
        if (!entity) return yield* new BootstrapFailed({ message: `${label} entity ${entityId} does not exist` })
        if ((yield* passwords.active(entityId)).length > 0) return false
        const strength = validatePasswordForEntity(
          entity.kind === "human",
          Redacted.value(secret),
          config.auth.minPasswordChars,
        )
        if (Either.isLeft(strength)) {
          return yield* new BootstrapFailed({ message: `${label} secret rejected: ${strength.left.message}` })
        }
        const secretHash = yield* hasher.hash(secret)
        yield* passwords.insert({ id: randomUUID(), entityId, identifier: null, secretHash })
        return true
      })

    const admin = config.auth.adminEntityId
    yield* Option.match(config.auth.serviceSecret, {
      onNone: () => Effect.void,
      onSome: (secret) => ensure(config.auth.serviceEntityId, secret, "ATOM_SERVICE_SECRET"),
    })
    yield* Option.match(config.auth.adminSecret, {
      onSome: (secret) => ensure(admin, secret, "ADMIN_SECRET"),
      onNone: () =>
        Effect.gen(function* () {
          if (Option.isSome(config.databaseUrl)) return
          const generated = Redacted.make(randomBytes(18).toString("base64url"))
          if (!(yield* ensure(admin, generated, "generated admin"))) return
          // printed to the console once, never logged: the only time this password is shown
          process.stdout.write(
            [
              "",
              "  Atom bootstrap admin (shown once; set ADMIN_SECRET to choose your own):",
              `    identifier: admin   (entity id ${admin})`,
              `    password:   ${Redacted.value(generated)}`,
              "",
              "",
            ].join("\n"),
          )
        }),
    })
  }).pipe(Effect.withSpan("BootstrapAdmin")),
)
