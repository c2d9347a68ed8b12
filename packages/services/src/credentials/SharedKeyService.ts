import { randomUUID } from "node:crypto"
import { CredentialMessages, type SharedKeyResult } from "@atom/domain/credentials"
import { Conflict, InvalidInput, NotFound, Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import {
  generateSharedKey,
  openSharedKey,
  SHARED_KEY_LOST_MESSAGE,
  SHARED_KEY_REQUIRES_KEK_MESSAGE,
  sealSharedKey,
  sharedKeyLookupHash,
} from "@atom/engines/tokens"
import { Credentials, SharedKeys } from "@atom/repositories/credentials"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import { Kek } from "../auth/Kek.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { validateMachineSecret } from "../passwords/passwordPolicy.js"
import { CredentialGate } from "./CredentialGate.js"
import { credentialEvent, recordCredentialEvent } from "./credentialAudit.js"
import { inTransaction } from "./inTransaction.js"

export interface CreateSharedKeyInput {
  readonly expiresAt: Date | null
  readonly description: string | null
  /** an operator-chosen key; null = generate `atom_shared_<credid>_<64 hex>` */
  readonly key: Redacted.Redacted<string> | null
}

/**
 * Shared keys (identity-certs §2.6): retrievable machine secrets. Stored as argon2, an HMAC digest
 * and an AES-GCM copy under the KEK bound to the credential id, so `revealSharedKey` can show the
 * key again — to a caller passing the credential gate only.
 */
export class SharedKeyService extends Effect.Service<SharedKeyService>()("atom/SharedKeyService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const keys = yield* SharedKeys
    const credentials = yield* Credentials
    const credentialGate = yield* CredentialGate
    const hasher = yield* PasswordHasher
    const kek = (yield* Kek).key
    const transaction = inTransaction(sql)
    const lost = () => new Conflict({ message: SHARED_KEY_LOST_MESSAGE })

    const create = (caller: Caller, entityId: string, input: CreateSharedKeyInput) =>
      Effect.gen(function* () {
        const target = yield* credentialGate.require(caller, entityId)
        const activeNotFound = new NotFound({ message: CredentialMessages.activeEntityNotFound(entityId) })
        if (target.status !== "active") return yield* activeNotFound
        if (target.kind === "human") return yield* new InvalidInput({ message: CredentialMessages.sharedKeyForHuman })
        if (Option.isNone(kek)) return yield* new InvalidInput({ message: SHARED_KEY_REQUIRES_KEK_MESSAGE })
        const id = randomUUID()
        if (input.key !== null) yield* validateMachineSecret(Redacted.value(input.key))
        const key = input.key === null ? generateSharedKey(id) : Redacted.value(input.key)
        const secretHash = yield* hasher.hash(Redacted.make(key))
        yield* transaction(
          Effect.gen(function* () {
            const owner = yield* credentials.lockActiveEntity(entityId)
            if (!owner) return yield* activeNotFound
            if (owner.kind === "human")
              return yield* new InvalidInput({ message: CredentialMessages.sharedKeyForHuman })
            yield* keys.insert({
              id,
              entityId,
              secretHash,
              secretLookupHash: sharedKeyLookupHash(kek.value, key),
              sealed: sealSharedKey(kek.value, id, key),
              expiresAt: input.expiresAt,
              description: input.description?.trim() || null,
            })
            yield* recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.create",
                { kind: "entity", id: entityId, tenantId: owner.tenantId },
                { kind: "shared_key", credential_id: id },
              ),
            )
          }),
        )
        const created: SharedKeyResult = { credentialId: id, key, expiresAt: input.expiresAt }
        return created
      }).pipe(Effect.withSpan("SharedKeyService.create"))

    const reveal = (caller: Caller, entityId: string, credentialId: string) =>
      Effect.gen(function* () {
        const target = yield* credentialGate.require(caller, entityId)
        const row = yield* keys.forReveal(credentialId, entityId)
        if (!row) return yield* new NotFound({ message: CredentialMessages.sharedKeyNotFound })
        if (row.status !== "active") return yield* new Unauthenticated({ message: CredentialMessages.sharedKeyRevoked })
        if (row.expiresAt !== null && row.expiresAt.getTime() < (yield* Clock.currentTimeMillis)) {
          return yield* new Unauthenticated({ message: CredentialMessages.sharedKeyExpired })
        }
        if (row.entityStatus !== "active") return yield* new Unauthenticated({ message: "entity is not active" })
        if (row.tenantStatus !== null && row.tenantStatus !== "active") {
          return yield* new Unauthenticated({ message: "tenant is not active" })
        }
        if (
          Option.isNone(kek) ||
          row.secretHash === null ||
          row.secretCiphertext === null ||
          row.secretNonce === null ||
          row.secretKeyId === null ||
          row.secretEncAlg === null
        ) {
          return yield* lost()
        }
        const opened = openSharedKey(kek.value, credentialId, {
          ciphertext: row.secretCiphertext,
          nonce: row.secretNonce,
          keyId: row.secretKeyId,
          algorithm: row.secretEncAlg,
        })
        if (Either.isLeft(opened)) return yield* lost()
        // the sealed copy must still be the key the verifier was made from
        if (!(yield* hasher.verify(row.secretHash, Redacted.make(opened.right)))) return yield* lost()
        yield* recordCredentialEvent(
          credentialEvent(
            caller,
            "credential.reveal",
            { kind: "entity", id: entityId, tenantId: target.tenantId },
            { kind: "shared_key", credential_id: credentialId },
          ),
        )
        const revealed: SharedKeyResult = { credentialId, key: opened.right, expiresAt: row.expiresAt }
        return revealed
      }).pipe(Effect.withSpan("SharedKeyService.reveal"))

    return { create, reveal } as const
  }),
}) {}
