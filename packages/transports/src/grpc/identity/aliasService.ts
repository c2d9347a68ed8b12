import type { Authenticator } from "@atom/services/auth"
import { AliasResolver } from "@atom/services/credentials"
import { Effect, Schema } from "effect"
import { callerFromMetadata } from "../callerFromMetadata.js"
import type { UnaryMethod } from "../GrpcServer.js"
import { decodeRequest } from "./decodeRequest.js"

const ResolveAliasRequest = Schema.Struct({
  tenant_id: Schema.String,
  tenant_alias: Schema.String,
  object_kind: Schema.String,
  object_alias: Schema.String,
  global: Schema.Boolean,
})

/** `atom.v1.AliasService` (api.md §2.5): authentication only, no capability check. */
export const aliasServiceMethods: { readonly ResolveAlias: UnaryMethod<Authenticator | AliasResolver> } = {
  ResolveAlias: (request, metadata) =>
    Effect.gen(function* () {
      yield* callerFromMetadata(metadata)
      const req = yield* decodeRequest(ResolveAliasRequest, request)
      const resolved = yield* Effect.flatMap(AliasResolver, (r) =>
        r.resolve({
          tenantId: req.tenant_id.trim(),
          tenantAlias: req.tenant_alias,
          objectKind: req.object_kind,
          objectAlias: req.object_alias,
          global: req.global,
        }),
      )
      return { tenant_id: resolved.tenantId ?? "", object_id: resolved.objectId }
    }).pipe(Effect.withSpan("grpc.AliasService.ResolveAlias")),
}
