import { InvalidInput } from "@atom/domain/errors"
import type { Authenticator } from "@atom/services/auth"
import { AuthzService } from "@atom/services/authz"
import { Effect, Schema } from "effect"
import { callerFromMetadata } from "../callerFromMetadata.js"
import type { UnaryMethod } from "../GrpcServer.js"

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

/**
 * `atom.v1.AuthzService` (api.md §2.5–2.6): the caller from `authorization: Bearer <token>`, the request
 * validated with the gRPC wording, the string map as the ABAC `context`; any decision is OK.
 */
export const authzServiceMethods: { readonly Check: UnaryMethod<Authenticator | AuthzService> } = {
  Check: (request, metadata) =>
    Effect.gen(function* () {
      const caller = yield* callerFromMetadata(metadata)
      const req = yield* decodeCheckRequest(request)
      const authz = yield* AuthzService
      const decision = yield* authz.check(
        caller,
        {
          subjectId: req.subject_id,
          action: req.action,
          resourceId: req.resource_id,
          objectKind: req.object_kind,
          objectId: req.object_id,
          context: req.context,
        },
        "grpc",
      )
      return { allowed: decision.allowed, reason: decision.reason }
    }).pipe(Effect.withSpan("grpc.AuthzService.Check")),
}
