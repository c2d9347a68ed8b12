import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, TenantId } from "../authz/ids.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** An issued certificate as the read APIs show it (api.md §3.6 `Certificate`). */
export const CertificateOnWire = Schema.Struct({
  credentialId: Schema.String,
  entityId: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  serialNumber: Schema.String,
  status: Schema.Literal("active", "revoked"),
  certificatePem: Schema.String,
  subject: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  dnsNames: Schema.Array(Schema.String),
  ipAddresses: Schema.Array(Schema.String),
  fingerprintSha256: Schema.String,
  expiresAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  revokedAt: Schema.NullOr(Schema.Date),
  revocationReason: Schema.NullOr(Schema.String),
})

/** A fresh certificate and, for a server-generated key, its PKCS#8 PEM: shown once, never stored. */
export const IssuedCertificateOnWire = Schema.Struct({
  certificate: CertificateOnWire,
  privateKeyPem: Schema.NullOr(Schema.String),
})

export const IssueCertificatePayload = Schema.Struct({
  entityId: EntityId,
  ttlSecs: Optional(Schema.Int),
  commonName: Optional(Schema.String),
  dnsNames: Optional(Schema.Array(Schema.String)),
  ipAddresses: Optional(Schema.Array(Schema.String)),
})

/** One certificate, by its credential id or its serial number. */
export const GetCertificatePayload = Schema.Union(
  Schema.Struct({ credentialId: Schema.UUID }),
  Schema.Struct({ serialNumber: Schema.String }),
)

export const ListCertificatesPayload = Schema.Struct({
  entityId: Optional(EntityId),
  tenantId: Optional(TenantId),
  status: Optional(Schema.String),
  ...PageFields,
})

/** A certificate for the CSR's key: the key never leaves the client, so `privateKeyPem` is null. */
export const IssueCertificateFromCsrPayload = Schema.Struct({
  entityId: EntityId,
  ttlSecs: Optional(Schema.Int),
  csrPem: Schema.String,
})

/** A fresh key and certificate for the same owner and names; `revokeOld` revokes the renewed one. */
export const RenewCertificatePayload = Schema.Struct({
  serialNumber: Schema.String,
  ttlSecs: Optional(Schema.Int),
  revokeOld: Optional(Schema.Boolean),
})

export const RevokeCertificatePayload = Schema.Struct({ serialNumber: Schema.String, reason: Optional(Schema.String) })

/** Revokes every active certificate of the entity; answers how many. */
export const RevokeEntityCertificatesPayload = Schema.Struct({ entityId: EntityId, reason: Optional(Schema.String) })

/** Certificates: issue (server-generated key or CSR), renew, read, list, revoke; the CA chain (identity-certs §3). */
export class CertificateRpcs extends RpcGroup.make(
  Rpc.make("IssueCertificate", {
    payload: IssueCertificatePayload,
    success: IssuedCertificateOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("IssueCertificateFromCsr", {
    payload: IssueCertificateFromCsrPayload,
    success: IssuedCertificateOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RenewCertificate", {
    payload: RenewCertificatePayload,
    success: IssuedCertificateOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("GetCertificate", { payload: GetCertificatePayload, success: CertificateOnWire, error: AtomRpcError }),
  Rpc.make("ListCertificates", {
    payload: ListCertificatesPayload,
    success: PageOf(CertificateOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("RevokeCertificate", {
    payload: RevokeCertificatePayload,
    success: CertificateOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RevokeEntityCertificates", {
    payload: RevokeEntityCertificatesPayload,
    success: Schema.Int,
    error: AtomRpcError,
  }),
  /** the issuing CA's chain (PEM, intermediate first) */
  Rpc.make("CaChain", { payload: {}, success: Schema.String, error: AtomRpcError }),
) {}
