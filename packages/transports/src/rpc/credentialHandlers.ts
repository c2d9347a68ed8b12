import { CredentialRpcs } from "@atom/domain/rpc"
import { AccessTokenService, CredentialService, rfc3339Argument } from "@atom/services/credentials"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

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
          permissions: p.permissions.map((e) => ({
            actions: e.actions,
            scopeMode: e.scopeMode,
            tenantId: e.tenantId ?? null,
            objectKind: e.objectKind ?? null,
            objectType: e.objectType ?? null,
            objectId: e.objectId ?? null,
            conditions: e.conditions ?? null,
          })),
          subjectId: p.subjectId ?? null,
          scoped: p.scoped ?? true,
        })
      }),
    ),
  RevokeAccessToken: ({ credentialId }) =>
    asCaller((caller) =>
      Effect.flatMap(AccessTokenService, (s) => Effect.as(s.revoke(caller, credentialId.toLowerCase()), true)),
    ),
  RevokeCredential: ({ entityId, credentialId }) =>
    asCaller((caller) =>
      Effect.flatMap(CredentialService, (s) => Effect.as(s.revoke(caller, entityId, credentialId.toLowerCase()), true)),
    ),
})
