import { Schema } from "effect"

const TenantStatus = Schema.Literal("active", "inactive", "frozen", "deleted")
const EntityStatus = Schema.Literal("active", "inactive", "suspended")

/** `credentials.status` of a certificate. */
export const CertificateStatus = Schema.Literal("active", "revoked")
export type CertificateStatus = typeof CertificateStatus.Type

/** An issued certificate (a `kind = 'certificate'` credential) with the state of its owner and the owner's tenant. */
export const CertificateRow = Schema.Struct({
  id: Schema.String,
  entityId: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  serialNumber: Schema.String,
  status: CertificateStatus,
  certificatePem: Schema.String,
  /** Read as text: the result-name transform would camelCase the keys of a jsonb object. */
  subject: Schema.NullOr(Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  dnsNames: Schema.NullOr(Schema.Array(Schema.String)),
  ipAddresses: Schema.NullOr(Schema.Array(Schema.String)),
  fingerprintSha256: Schema.String,
  issuerFingerprintSha256: Schema.String,
  issuedFromCsr: Schema.NullOr(Schema.Boolean),
  notBefore: Schema.DateFromSelf,
  notAfter: Schema.DateFromSelf,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
  revokedAt: Schema.NullOr(Schema.DateFromSelf),
  revocationReason: Schema.NullOr(Schema.String),
  entityStatus: EntityStatus,
  entityDeleted: Schema.Boolean,
  tenantStatus: Schema.NullOr(TenantStatus),
  tenantDeleted: Schema.NullOr(Schema.Boolean),
})
export type CertificateRow = typeof CertificateRow.Type

/** The entity a certificate is (or would be) issued to, with its tenant's state; deleted rows included. */
export const CertificateOwnerRow = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  status: EntityStatus,
  deleted: Schema.Boolean,
  tenantStatus: Schema.NullOr(TenantStatus),
  tenantDeleted: Schema.NullOr(Schema.Boolean),
})
export type CertificateOwnerRow = typeof CertificateOwnerRow.Type

/** What OCSP needs of one serial. */
export const SerialStatusRow = Schema.Struct({
  serialNumber: Schema.String,
  status: CertificateStatus,
  revokedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type SerialStatusRow = typeof SerialStatusRow.Type

/**
 * Bytes read as hex text (`encode(col, 'hex')`): the database's C code and Buffer do the conversion, where a
 * bytea column of several MB (a large CRL) costs seconds in PGlite's JavaScript bytea parser.
 */
const BytesFromHex = Schema.transform(Schema.String, Schema.Uint8ArrayFromSelf, {
  strict: true,
  decode: (hex) => new Uint8Array(Buffer.from(hex, "hex")),
  encode: (bytes) => Buffer.from(bytes).toString("hex"),
})

/** The cached CRL of one issuer; `crlNumber` travels as text (bigint), the DER as hex. */
export const CrlStateRow = Schema.Struct({
  crlNumber: Schema.BigInt,
  dirty: Schema.Boolean,
  crlDer: Schema.NullOr(BytesFromHex),
  thisUpdate: Schema.NullOr(Schema.DateFromSelf),
  nextUpdate: Schema.NullOr(Schema.DateFromSelf),
})
export type CrlStateRow = typeof CrlStateRow.Type

/** The cache-check view of a CRL state row (no DER). */
export const CrlStampRow = Schema.Struct({
  crlNumber: Schema.BigInt,
  dirty: Schema.Boolean,
  hasDer: Schema.Boolean,
  nextUpdate: Schema.NullOr(Schema.DateFromSelf),
})
export type CrlStampRow = typeof CrlStampRow.Type
