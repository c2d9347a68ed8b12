import { InvalidInput } from "@atom/domain/errors"
import type { Authenticator } from "@atom/services/auth"
import { AuthzService, makeRememberedCheck } from "@atom/services/authz"
import { Effect, type Runtime, Schema } from "effect"
import { bearerToken, callerFromMetadata } from "../callerFromMetadata.js"
import { type ImmediateAnswer, type ImmediateMethod, rpcRequestInfo } from "../GrpcServer.js"

/** `CheckRequest` as the loader decodes it: proto3 defaults filled in, so `""` means absent. */
const CheckRequest = Schema.Struct({
  subject_id: Schema.String,
  action: Schema.String,
  resource_id: Schema.String,
  context: Schema.Record({ key: Schema.String, value: Schema.String }),
  object_kind: Schema.String,
  object_id: Schema.String,
})

const decodeCheckRequest = (request: unknown) =>
  Schema.decodeUnknown(CheckRequest)(request).pipe(
    Effect.mapError(() => new InvalidInput({ message: "invalid request" })),
  )

const checkFields = (req: typeof CheckRequest.Type) => ({
  subjectId: req.subject_id,
  action: req.action,
  resourceId: req.resource_id,
  objectKind: req.object_kind,
  objectId: req.object_id,
  context: req.context,
})

const isCheckRequest = Schema.is(CheckRequest)

/** A warm Check from memory: a well-formed `Bearer` token already verified, every decision input cached. */
const rememberedCheck = (runtime: Runtime.Runtime<Authenticator | AuthzService>): ImmediateAnswer => {
  const check = makeRememberedCheck(runtime)
  return (call) => {
    const token = bearerToken(call.metadata)
    if (token === undefined || !isCheckRequest(call.request)) return undefined
    const decision = check(token, checkFields(call.request), "grpc", () => rpcRequestInfo(call))
    return decision === undefined ? undefined : { allowed: decision.allowed, reason: decision.reason }
  }
}

/**
 * `atom.v1.AuthzService` (api.md §2.5–2.6): the caller from `authorization: Bearer <token>`, the request
 * validated with the gRPC wording, the string map as the ABAC `context`; any decision is OK. A warm call
 * is answered from memory (`rememberedCheck`); anything else runs the check's effect.
 */
export const authzServiceMethods: { readonly Check: ImmediateMethod<Authenticator | AuthzService> } = {
  Check: {
    run: (request, metadata) =>
      Effect.gen(function* () {
        const caller = yield* callerFromMetadata(metadata)
        const req = yield* decodeCheckRequest(request)
        const authz = yield* AuthzService
        const decision = yield* authz.check(caller, checkFields(req), "grpc")
        return { allowed: decision.allowed, reason: decision.reason }
      }).pipe(Effect.withSpan("grpc.AuthzService.Check", { captureStackTrace: false })),
    prepare: rememberedCheck,
  },
}
