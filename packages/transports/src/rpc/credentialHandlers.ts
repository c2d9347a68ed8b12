import { type AccessTokenPermissionPayload, CredentialRpcs } from "@atom/domain/rpc"
import {
  type AccessTokenPermissionInput,
  AccessTokenService,
  CredentialService,
  rfc3339Argument,
  SharedKeyService,
} from "@atom/services/credentials"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/** One ceiling entry as the access-token service takes it. */
const permissionEntry = (e: typeof AccessTokenPermissionPayload.Type): AccessTokenPermissionInput => ({
  actions: e.actions,
  scopeMode: e.scopeMode,
  tenantId: e.tenantId ?? null,
  objectKind: e.objectKind ?? null,
  objectType: e.objectType ?? null,
  objectId: e.objectId ?? null,
  conditions: e.conditions ?? null,
})

/** Credentials over RPC: the calls `credentialsModule` makes. */
export const credentialHandlers = CredentialRpcs.of({
  ListCredentials: ({ entityId }) =>
    asCaller((caller) => Effect.flatMap(CredentialService, (s) => s.list(caller, entityId))),
  CreateAccessToken: (p) =>
    asCaller((caller) =>
      Effect.gen(function* () {
        const expiresAt = yield* rfc3339Argument("expiresAt", p.expiresAt ?? null)
        const tokens = yield* AccessTokenService
        return yield* tokens.create(caller, {
          name: p.name,
          description: p.description ?? null,
          expiresAt,
          permissions: p.permissions.map(permissionEntry),
          subjectId: p.subjectId ?? null,
          scoped: p.scoped ?? true,
        })
      }),
    ),
  RevokeAccessToken: ({ credentialId }) =>
    asCaller((caller) =>
      Effect.flatMap(AccessTokenService, (s) => Effect.as(s.revoke(caller, credentialId.toLowerCase()), true)),
    ),
  ListAccessTokens: (p) =>
    asCaller((caller) =>
      Effect.flatMap(AccessTokenService, (s) =>
        s.list(caller, {
          subjectId: p.subjectId ?? null,
          status: p.status ?? null,
          limit: p.limit ?? null,
          offset: p.offset ?? null,
        }),
      ),
    ),
  ReplaceAccessTokenPermissions: ({ credentialId, permissions }) =>
    asCaller((caller) =>
      Effect.flatMap(AccessTokenService, (s) =>
        Effect.as(s.replacePermissions(caller, credentialId.toLowerCase(), permissions.map(permissionEntry)), true),
      ),
    ),
  ExpiringCredentials: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CredentialService, (s) =>
        s.expiring(caller, {
          days: p.days ?? null,
          entityId: p.entityId ?? null,
          kind: p.kind ?? null,
          limit: p.limit ?? null,
          offset: p.offset ?? null,
        }),
      ),
    ),
  CreatePassword: ({ entityId, password }) =>
    asCaller((caller) =>
      Effect.flatMap(CredentialService, (s) => Effect.as(s.createPassword(caller, entityId, password), true)),
    ),
  CreateSharedKey: (p) =>
    asCaller((caller) =>
      Effect.gen(function* () {
        const expiresAt = yield* rfc3339Argument("expiresAt", p.expiresAt ?? null)
        const keys = yield* SharedKeyService
        return yield* keys.create(caller, p.entityId, {
          expiresAt,
          description: p.description ?? null,
          key: p.key ?? null,
        })
      }),
    ),
  RevealSharedKey: ({ entityId, credentialId }) =>
    asCaller((caller) =>
      Effect.flatMap(SharedKeyService, (s) => s.reveal(caller, entityId, credentialId.toLowerCase())),
    ),
  RevokeCredential: ({ entityId, credentialId }) =>
    asCaller((caller) =>
      Effect.flatMap(CredentialService, (s) => Effect.as(s.revoke(caller, entityId, credentialId.toLowerCase()), true)),
    ),
})
