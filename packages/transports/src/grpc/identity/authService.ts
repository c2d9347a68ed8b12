import { InvalidInput } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { Authenticator } from "@atom/services/auth"
import { makeRememberedCaller } from "@atom/services/authz"
import { CredentialAuthentication } from "@atom/services/credentials"
import { Effect, Redacted, type Runtime, Schema } from "effect"
import { callerFromMetadata } from "../callerFromMetadata.js"
import type { ImmediateMethod, UnaryMethod } from "../GrpcServer.js"
import { decodeRequest } from "./decodeRequest.js"

/** `AuthenticateRequest` as the loader decodes it (proto3 default `""` filled in). */
interface AuthenticateRequest {
  readonly token: string
}

// a plain guard (no schema machinery): it runs on every call, the warm ones included
const isAuthenticateRequest = (request: unknown): request is AuthenticateRequest =>
  typeof request === "object" && request !== null && "token" in request && typeof request.token === "string"

const decodeAuthenticateRequest = (request: unknown): Effect.Effect<AuthenticateRequest, InvalidInput> =>
  isAuthenticateRequest(request)
    ? Effect.succeed(request)
    : Effect.fail(new InvalidInput({ message: "invalid request" }))

/** `AuthenticateResponse` (api.md §2.4): `""` for no tenant, and for an access token's session. */
const authenticated = (caller: Caller) => ({
  entity_id: caller.entityId,
  tenant_id: caller.tenantId ?? "",
  session_id: caller.sessionId ?? "",
})

/**
 * A warm Authenticate from memory: the token verified before and still current under exactly the rule
 * the remembered caller of Check and GraphQL follows (Authenticator.remembered: change feed live, nothing
 * announced since, not expired, key still vouching, usage stamp fresh), else undefined for the full path.
 */
export const makeRememberedAuthenticate = (runtime: Runtime.Runtime<Authenticator>) => {
  const caller = makeRememberedCaller(runtime)
  return (request: unknown): ReturnType<typeof authenticated> | undefined => {
    if (!isAuthenticateRequest(request)) return undefined
    const known = caller(request.token)
    return known === undefined ? undefined : authenticated(known)
  }
}

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
 * no caller; a warm one is answered from memory (`makeRememberedAuthenticate`), anything else
 * (a miss, a refusal) runs the authenticator's effect. AuthenticateCredential needs a caller holding
 * `authz.check` and opens no session.
 */
export const authServiceMethods: {
  readonly Authenticate: ImmediateMethod<Authenticator>
  readonly AuthenticateCredential: UnaryMethod<Authenticator | CredentialAuthentication>
} = {
  Authenticate: {
    run: (request) =>
      Effect.gen(function* () {
        const { token } = yield* decodeAuthenticateRequest(request)
        const caller = yield* Effect.flatMap(Authenticator, (a) => a.authenticate(token))
        return authenticated(caller)
      }).pipe(Effect.withSpan("grpc.AuthService.Authenticate", { captureStackTrace: false })),
    prepare: (runtime) => {
      const remembered = makeRememberedAuthenticate(runtime)
      return (call) => remembered(call.request)
    },
  },

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
    }).pipe(Effect.withSpan("grpc.AuthService.AuthenticateCredential", { captureStackTrace: false })),
}
