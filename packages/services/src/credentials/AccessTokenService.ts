import { randomUUID } from "node:crypto"
import {
  type AccessToken,
  type AccessTokenPermission,
  CredentialMessages,
  type CredentialStatus,
  type IssuedAccessToken,
} from "@atom/domain/credentials"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { accessTokenLookupHash, generateAccessToken } from "@atom/engines/tokens"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { AccessTokens, Credentials, PermissionLimits } from "@atom/repositories/credentials"
import { announceLocalChange } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import { Kek } from "../auth/Kek.js"
import { pageOf } from "../authz/pagination.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import {
  type AccessTokenPermissionInput,
  firstUnknownAction,
  validateMintRequest,
  validatePermissionEntries,
  validateReplacementCount,
} from "./accessTokenInput.js"
import { CredentialGate, rejectScoped } from "./CredentialGate.js"
import { credentialEvent, recordCredentialEvent } from "./credentialAudit.js"
import { inTransaction } from "./inTransaction.js"

export interface CreateAccessTokenInput {
  readonly name: string
  readonly description: string | null
  readonly expiresAt: Date | null
  readonly permissions: ReadonlyArray<AccessTokenPermissionInput>
  /** the owner; null = the caller */
  readonly subjectId: string | null
  readonly scoped: boolean
}

export interface ListAccessTokensInput {
  readonly subjectId: string | null
  readonly status: string | null
  readonly limit: number | null
  readonly offset: number | null
}

const ACCESS_TOKEN_PAGE = { defaultLimit: 100, maxLimit: 100 }

const statusFilter = (status: string | null): Either.Either<CredentialStatus | null, InvalidInput> =>
  status === null || status === "active" || status === "revoked"
    ? Either.right(status)
    : Either.left(new InvalidInput({ message: CredentialMessages.invalidStatusFilter(status) }))

/**
 * Access tokens (identity-certs §2.5): unscoped API keys carry the owner's live authority, scoped
 * tokens the owner's authority capped by a ceiling. The secret is shown once; only a verifier is
 * stored (HMAC under the KEK, or argon2 without one).
 */
export class AccessTokenService extends Effect.Service<AccessTokenService>()("atom/AccessTokenService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tokens = yield* AccessTokens
    const limits = yield* PermissionLimits
    const credentials = yield* Credentials
    const credentialGate = yield* CredentialGate
    const hasher = yield* PasswordHasher
    const kek = (yield* Kek).key
    const transaction = inTransaction(sql)

    /** Unknown actions first (they need the catalogue), then each entry's shape. */
    const validateEntries = (entries: ReadonlyArray<AccessTokenPermissionInput>) =>
      Effect.gen(function* () {
        if (entries.length === 0) return []
        const known = yield* limits.knownActions([...new Set(entries.flatMap((e) => e.actions))])
        const unknown = firstUnknownAction(entries, known)
        if (unknown !== undefined) {
          return yield* new InvalidInput({ message: CredentialMessages.unknownAction(unknown) })
        }
        return yield* validatePermissionEntries(entries)
      })

    /** Who a lifecycle call acts on: the owner may act directly, anyone else needs the credential gate. */
    const lifecycleOwner = (caller: Caller, credentialId: string) =>
      Effect.gen(function* () {
        yield* rejectScoped(caller)
        const state = yield* tokens.state(credentialId)
        if (!state) return yield* new NotFound({ message: CredentialMessages.accessTokenNotFound })
        const delegated = state.entityId !== caller.entityId
        // audit rows land in the owner's tenant when delegated, else in the caller's
        const tenantId = delegated ? (yield* credentialGate.require(caller, state.entityId)).tenantId : caller.tenantId
        return { ownerId: state.entityId, delegated, tenantId }
      })

    const create = (caller: Caller, input: CreateAccessTokenInput) =>
      Effect.gen(function* () {
        const ownerId = input.subjectId ?? caller.entityId
        const delegated = ownerId !== caller.entityId
        // a scoped self-mint can never exceed the caller's own grants; anything else is credential management
        if (delegated || !input.scoped) yield* credentialGate.require(caller, ownerId)
        else yield* rejectScoped(caller)
        const name = yield* validateMintRequest({
          name: input.name,
          permissionCount: input.permissions.length,
          scoped: input.scoped,
          expiresAt: input.expiresAt,
          now: yield* Clock.currentTimeMillis,
        })
        const permissions: ReadonlyArray<AccessTokenPermission> = yield* validateEntries(input.permissions)
        const description = input.description?.trim() || null

        const minted = generateAccessToken(randomUUID())
        const secretLookupHash = Option.map(kek, (k) => accessTokenLookupHash(k, minted.secret))
        const secretHash = Option.isSome(secretLookupHash) ? null : yield* hasher.hash(Redacted.make(minted.secret))
        yield* transaction(
          Effect.gen(function* () {
            const owner = yield* credentials.lockActiveEntity(ownerId)
            if (!owner) return yield* new NotFound({ message: CredentialMessages.activeEntityNotFound(ownerId) })
            yield* tokens.insert({
              id: minted.credentialId,
              entityId: ownerId,
              identifier: minted.identifier,
              secretHash,
              secretLookupHash: Option.getOrNull(secretLookupHash),
              scoped: input.scoped,
              expiresAt: input.expiresAt,
              name,
              description,
            })
            if (permissions.length > 0) yield* limits.insert(minted.credentialId, permissions)
            yield* recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.create",
                {
                  kind: "credential",
                  id: minted.credentialId,
                  tenantId: delegated || !input.scoped ? owner.tenantId : caller.tenantId,
                },
                {
                  entity_id: ownerId,
                  kind: "access_token",
                  scoped: input.scoped,
                  delegated,
                  name,
                  credential_id: minted.credentialId,
                },
              ),
            )
          }),
        )
        const issued: IssuedAccessToken = {
          credentialId: minted.credentialId,
          token: minted.token,
          name,
          description,
          expiresAt: input.expiresAt,
        }
        return issued
      }).pipe(Effect.withSpan("AccessTokenService.create"))

    const replacePermissions = (
      caller: Caller,
      credentialId: string,
      entries: ReadonlyArray<AccessTokenPermissionInput>,
    ) =>
      Effect.gen(function* () {
        const { ownerId, delegated, tenantId } = yield* lifecycleOwner(caller, credentialId)
        yield* validateReplacementCount(entries.length)
        const permissions = yield* validateEntries(entries)
        yield* transaction(
          Effect.gen(function* () {
            const locked = yield* tokens.lockActive(credentialId, ownerId)
            if (!locked) return yield* new NotFound({ message: CredentialMessages.accessTokenNotFound })
            if (!locked.scoped) return yield* new InvalidInput({ message: CredentialMessages.unscopedPermissions })
            yield* limits.clear(credentialId)
            yield* limits.insert(credentialId, permissions)
            // cached ceilings are keyed by revision: the next decision must see the new one
            yield* Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
            yield* recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.update",
                { kind: "credential", id: credentialId, tenantId },
                { entity_id: ownerId, kind: "access_token", delegated, credential_id: credentialId },
              ),
            )
          }),
        )
      }).pipe(Effect.withSpan("AccessTokenService.replacePermissions"))

    const revoke = (caller: Caller, credentialId: string) =>
      Effect.gen(function* () {
        const { ownerId, delegated, tenantId } = yield* lifecycleOwner(caller, credentialId)
        yield* transaction(
          Effect.all([
            Effect.zipRight(
              tokens.revoke(credentialId, ownerId),
              Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql),
            ),
            recordCredentialEvent(
              credentialEvent(
                caller,
                "credential.revoke",
                { kind: "credential", id: credentialId, tenantId },
                { entity_id: ownerId, kind: "access_token", delegated, credential_id: credentialId },
              ),
            ),
          ]),
        )
      }).pipe(Effect.withSpan("AccessTokenService.revoke"))

    const list = (caller: Caller, input: ListAccessTokensInput) =>
      Effect.gen(function* () {
        const ownerId = input.subjectId ?? caller.entityId
        if (ownerId !== caller.entityId) yield* credentialGate.require(caller, ownerId)
        const status = yield* statusFilter(input.status)
        const page = pageOf(input.limit, input.offset, ACCESS_TOKEN_PAGE)
        const query = { entityId: ownerId, status, ...page }
        const [items, total] = yield* Effect.all([tokens.list(query), tokens.count(query)], { concurrency: 2 })
        return { items: items satisfies ReadonlyArray<AccessToken>, total }
      }).pipe(Effect.withSpan("AccessTokenService.list"))

    return { create, replacePermissions, revoke, list } as const
  }),
}) {}
