import { InvalidInput } from "@atom/domain/errors"
import type { Authenticator } from "@atom/services/auth"
import { CertificateService } from "@atom/services/certificates"
import { Effect, Schema } from "effect"
import { callerFromMetadata } from "../callerFromMetadata.js"
import type { UnaryMethod } from "../GrpcServer.js"

const ResolveCertificateRequest = Schema.Struct({ serial_number: Schema.String, fingerprint_sha256: Schema.String })
const RevokeEntityCertificatesRequest = Schema.Struct({ entity_id: Schema.String, reason: Schema.String })

const decode = <A, I>(schema: Schema.Schema<A, I>, request: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema)(request).pipe(Effect.mapError(() => new InvalidInput({ message: "invalid request" })))

const isUuid = Schema.is(Schema.UUID)

/** RFC 3339 with a `+00:00` offset, as the reference's chrono rendering (api.md §2.4). */
const rfc3339 = (d: Date): string => d.toISOString().replace("Z", "+00:00")

type Needs = Authenticator | CertificateService

/** `atom.v1.CertificateService` (api.md §2.5): both RPCs need an authenticated caller. */
export const certificateServiceMethods: {
  readonly ResolveCertificate: UnaryMethod<Needs>
  readonly RevokeEntityCertificates: UnaryMethod<Needs>
} = {
  ResolveCertificate: (request, metadata) =>
    Effect.gen(function* () {
      const caller = yield* callerFromMetadata(metadata)
      const req = yield* decode(ResolveCertificateRequest, request)
      const fingerprint = req.fingerprint_sha256.trim()
      const resolved = yield* Effect.flatMap(CertificateService, (s) =>
        s.resolve(caller, req.serial_number, fingerprint === "" ? undefined : fingerprint),
      )
      return {
        entity_id: resolved.entityId,
        tenant_id: resolved.tenantId ?? "",
        credential_id: resolved.credentialId,
        expires_at: rfc3339(resolved.expiresAt),
      }
    }).pipe(Effect.withSpan("grpc.CertificateService.ResolveCertificate")),

  RevokeEntityCertificates: (request, metadata) =>
    Effect.gen(function* () {
      const caller = yield* callerFromMetadata(metadata)
      const req = yield* decode(RevokeEntityCertificatesRequest, request)
      const entityId = req.entity_id.trim()
      if (!isUuid(entityId)) return yield* new InvalidInput({ message: "invalid entity_id: expected UUID" })
      const reason = req.reason.trim()
      const revoked = yield* Effect.flatMap(CertificateService, (s) =>
        s.revokeEntityAsService(caller, entityId.toLowerCase(), reason === "" ? undefined : reason),
      )
      return { revoked }
    }).pipe(Effect.withSpan("grpc.CertificateService.RevokeEntityCertificates")),
}
