import { InvalidInput } from "@atom/domain/errors"
import type { Authenticator } from "@atom/services/auth"
import { AuthzService, makeRememberedCheck } from "@atom/services/authz"
import { Effect, type Runtime } from "effect"
import { bearerToken, callerFromMetadata } from "../callerFromMetadata.js"
import { type ImmediateAnswer, type ImmediateMethod, rpcRequestInfo } from "../GrpcServer.js"

/** `CheckRequest` as the loader decodes it: proto3 defaults filled in, so `""` means absent. */
interface CheckRequest {
  readonly subject_id: string
  readonly action: string
  readonly resource_id: string
  readonly context: Readonly<Record<string, string>>
  readonly object_kind: string
  readonly object_id: string
}

const isStringMap = (value: unknown): value is Readonly<Record<string, string>> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string")

// a plain guard (no schema machinery): it runs on every call, the warm ones included
const isCheckRequest = (request: unknown): request is CheckRequest =>
  typeof request === "object" &&
  request !== null &&
  "subject_id" in request &&
  typeof request.subject_id === "string" &&
  "action" in request &&
  typeof request.action === "string" &&
  "resource_id" in request &&
  typeof request.resource_id === "string" &&
  "object_kind" in request &&
  typeof request.object_kind === "string" &&
  "object_id" in request &&
  typeof request.object_id === "string" &&
  "context" in request &&
  isStringMap(request.context)

const decodeCheckRequest = (request: unknown): Effect.Effect<CheckRequest, InvalidInput> =>
  isCheckRequest(request) ? Effect.succeed(request) : Effect.fail(new InvalidInput({ message: "invalid request" }))

const checkFields = (req: CheckRequest) => ({
  subjectId: req.subject_id,
  action: req.action,
  resourceId: req.resource_id,
  objectKind: req.object_kind,
  objectId: req.object_id,
  context: req.context,
})

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
