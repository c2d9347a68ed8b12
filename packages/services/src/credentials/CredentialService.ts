import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { type CredentialKind, CredentialMessages } from "@atom/domain/credentials"
import { NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { Credentials, markCrlStale } from "@atom/repositories/credentials"
import { announceLocalChange } from "@atom/repositories/db"
import { Passwords } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { anyOf, Gate, ObjectScope, Platform } from "../authz/Gate.js"
import { pageOf } from "../authz/pagination.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { validatePasswordForEntity } from "../passwords/passwordPolicy.js"
import { CredentialGate, rejectScoped } from "./CredentialGate.js"
import { credentialEvent, recordCredentialEvent } from "./credentialAudit.js"
import { inTransaction } from "./inTransaction.js"

export interface ExpiringCredentialsInput {
  readonly days: number | null
  readonly entityId: string | null
  readonly kind: CredentialKind | null
  readonly limit: number | null
  readonly offset: number | null
}

const EXPIRING_PAGE = { defaultLimit: 50, maxLimit: 200 }

/** Credentials of any kind (identity-certs §2.7): listing, passwords, revocation, expiry report. */
export class CredentialService extends Effect.Service<CredentialService>()("atom/CredentialService", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const credentials = yield* Credentials
    const passwords = yield* Passwords
    const credentialGate = yield* CredentialGate
    const gate = yield* Gate
    const hasher = yield* PasswordHasher
    const transaction = inTransaction(sql)

    const list = (caller: Caller, entityId: string) =>
      Effect.gen(function* () {
        yield* credentialGate.require(caller, entityId)
        return yield* credentials.ofEntity(entityId)
      }).pipe(Effect.withSpan("CredentialService.list"))

    /** Adds a password with a null identifier; older passwords stay (the reference's behaviour). */
    const createPassword = (caller: Caller, entityId: string, password: Redacted.Redacted<string>) =>
      Effect.gen(function* () {
        const target = yield* credentialGate.require(caller, entityId)
        const activeNotFound = new NotFound({ message: CredentialMessages.activeEntityNotFound(entityId) })
        if (target.status !== "active") return yield* activeNotFound
        yield* validatePasswordForEntity(
          target.kind === "human",
          Redacted.value(password),
          config.auth.minPasswordChars,
        )
        const secretHash = yield* hasher.hash(password)
        yield* transaction(
          Effect.gen(function* () {
            if (!(yield* credentials.lockActiveEntity(entityId))) return yield* activeNotFound
            const id = randomUUID()
            yield* passwords.insert({ id, entityId, identifier: null, secretHash })
            yield* recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.create",
                { kind: "credential", id, tenantId: target.tenantId },
                { entity_id: entityId, kind: "password" },
              ),
            )
          }),
        )
      }).pipe(Effect.withSpan("CredentialService.createPassword"))

    /**
     * Revokes one credential: `revoke` on the credential object, else the credential gate. A revoked
     * certificate marks the CRL stale (the reference leaves it clean for up to a day; §8.7).
     */
    const revoke = (caller: Caller, entityId: string, credentialId: string) =>
      Effect.gen(function* () {
        yield* rejectScoped(caller)
        const notFound = new NotFound({ message: CredentialMessages.credentialNotFound })
        let tenantId: string | null
        if (yield* gate.allows(caller, anyOf(["revoke"], ObjectScope("credential", credentialId)))) {
          const owner = yield* credentials.ownerOf(credentialId, entityId)
          if (!owner) return yield* notFound
          tenantId = owner.tenantId
        } else {
          tenantId = (yield* credentialGate.require(caller, entityId)).tenantId
        }
        yield* transaction(
          Effect.gen(function* () {
            const kind = yield* credentials.revoke(credentialId, entityId)
            if (kind === undefined) return yield* notFound
            // remembered tokens of this replica forget it when the transaction ends (others hear NOTIFY)
            yield* Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)
            if (kind === "certificate") yield* Effect.provideService(markCrlStale, SqlClient.SqlClient, sql)
            yield* recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.revoke",
                { kind: "entity", id: entityId, tenantId },
                { credential_id: credentialId },
              ),
            )
          }),
        )
      }).pipe(Effect.withSpan("CredentialService.revoke"))

    const expiring = (caller: Caller, input: ExpiringCredentialsInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["manage"], Platform))
        const page = pageOf(input.limit, input.offset, EXPIRING_PAGE)
        return yield* credentials.expiring({
          days: Math.max(0, Math.trunc(input.days ?? 30)),
          entityId: input.entityId,
          kind: input.kind,
          ...page,
        })
      }).pipe(Effect.withSpan("CredentialService.expiring"))

    return { list, createPassword, revoke, expiring } as const
  }),
}) {}
