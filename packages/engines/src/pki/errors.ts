import { Schema } from "effect"

/**
 * A CA-material startup check failed (spec identity-certs §3.1). Fatal at boot; `message` is the
 * exact text of the spec/reference, e.g. `root CA is expired`.
 */
export class CaMaterialError extends Schema.TaggedError<CaMaterialError>()("CaMaterialError", {
  message: Schema.String,
}) {}

/**
 * A caller's issuance request is unacceptable (400): TTL bounds and issuer validity, with the
 * exact wire messages of spec §3.2.
 */
export class InvalidCertificateRequest extends Schema.TaggedError<InvalidCertificateRequest>()(
  "InvalidCertificateRequest",
  { message: Schema.String },
) {}

/** A CSR that does not parse, does not verify, or asks for more than a leaf. Always `invalid CSR` on the wire. */
export class InvalidCsr extends Schema.TaggedError<InvalidCsr>()("InvalidCsr", {
  /** Why, for logs and tests; never sent to the caller. */
  reason: Schema.String,
}) {
  override get message(): string {
    return "invalid CSR"
  }
}

/** A serial number that is not even-length hex once `:` and whitespace are removed (api.md §2.4). */
export class InvalidSerialNumber extends Schema.TaggedError<InvalidSerialNumber>()("InvalidSerialNumber", {}) {
  override get message(): string {
    return "invalid certificate serial number"
  }
}

/** An OCSP request body that is not a well-formed DER OCSPRequest: answer `malformedRequest`. */
export class OcspMalformedRequest extends Schema.TaggedError<OcspMalformedRequest>()("OcspMalformedRequest", {
  reason: Schema.String,
}) {
  override get message(): string {
    return "invalid OCSP request"
  }
}

/**
 * Something that is not the caller's fault (a crypto failure, a name that cannot be encoded):
 * `internal error` on the wire, `detail` for logs.
 */
export class PkiInternalError extends Schema.TaggedError<PkiInternalError>()("PkiInternalError", {
  detail: Schema.String,
}) {
  override get message(): string {
    return "internal error"
  }
}

/** Text of an unknown thrown value, for error details. */
export const describeCause = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
