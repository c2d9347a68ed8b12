import { Authenticator } from "@atom/services/auth"
import { CredentialAuthentication } from "@atom/services/credentials"
import { Effect, Redacted, Schema } from "effect"
import { callerFromMetadata } from "../callerFromMetadata.js"
import type { UnaryMethod } from "../GrpcServer.js"
import { decodeRequest } from "./decodeRequest.js"

const AuthenticateRequest = Schema.Struct({ token: Schema.String })

const AuthenticateCredentialRequest = Schema.Struct({
  identifier: Schema.String,
  secret: Schema.String,
  kind: Schema.String,
  tenant_id: Schema.String,
  tenant_alias: Schema.String,
})

const orNull = (s: string): string | null => (s.trim() === "" ? null : s.trim())

/**
 * `atom.v1.AuthService` (identity-certs §2.9). Authenticate takes the token in the body and needs
 * no caller; AuthenticateCredential needs a caller holding `authz.check` and opens no session.
 */
export const authServiceMethods: {
  readonly Authenticate: UnaryMethod<Authenticator>
  readonly AuthenticateCredential: UnaryMethod<Authenticator | CredentialAuthentication>
} = {
  Authenticate: (request) =>
    Effect.gen(function* () {
      const { token } = yield* decodeRequest(AuthenticateRequest, request)
      const caller = yield* Effect.flatMap(Authenticator, (a) => a.authenticate(token))
      return { entity_id: caller.entityId, tenant_id: caller.tenantId ?? "", session_id: caller.sessionId ?? "" }
    }).pipe(Effect.withSpan("grpc.AuthService.Authenticate")),

  AuthenticateCredential: (request, metadata) =>
    Effect.gen(function* () {
      const caller = yield* callerFromMetadata(metadata)
      const req = yield* decodeRequest(AuthenticateCredentialRequest, request)
      const verified = yield* Effect.flatMap(CredentialAuthentication, (s) =>
        s.authenticate(caller, {
          identifier: req.identifier,
          secret: Redacted.make(req.secret),
          kind: req.kind,
          tenantId: orNull(req.tenant_id),
          tenantAlias: orNull(req.tenant_alias),
        }),
      )
      return { entity_id: verified.entityId, tenant_id: verified.tenantId ?? "", credential_id: verified.credentialId }
    }).pipe(Effect.withSpan("grpc.AuthService.AuthenticateCredential")),
}
