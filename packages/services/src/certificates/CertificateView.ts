import type { CertificateOwnerRow, CertificateRow } from "@atom/repositories/certificates"
import type { Redacted } from "effect"

/** An issued certificate as the read APIs show it (api.md §3.6 `Certificate`). */
export interface CertificateView {
  readonly credentialId: string
  readonly entityId: string
  readonly tenantId: string | null
  readonly serialNumber: string
  readonly status: "active" | "revoked"
  readonly certificatePem: string
  /** `{common_name}` for generated keys, `{csr_subject}` for CSR issuance. */
  readonly subject: Readonly<Record<string, unknown>>
  readonly dnsNames: ReadonlyArray<string>
  readonly ipAddresses: ReadonlyArray<string>
  readonly fingerprintSha256: string
  readonly expiresAt: Date | null
  readonly createdAt: Date
  readonly revokedAt: Date | null
  readonly revocationReason: string | null
}

/** A fresh certificate and, for a server-generated key, its PKCS#8 PEM: shown once, never stored. */
export interface IssuedCertificate {
  readonly certificate: CertificateView
  readonly privateKeyPem: Redacted.Redacted<string> | null
}

export const certificateView = (row: CertificateRow): CertificateView => ({
  credentialId: row.id,
  entityId: row.entityId,
  tenantId: row.tenantId,
  serialNumber: row.serialNumber,
  status: row.status,
  certificatePem: row.certificatePem,
  subject: row.subject ?? {},
  dnsNames: row.dnsNames ?? [],
  ipAddresses: row.ipAddresses ?? [],
  fingerprintSha256: row.fingerprintSha256,
  expiresAt: row.expiresAt,
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
  revocationReason: row.revocationReason,
})

const tenantIsActive = (tenantId: string | null, status: string | null, deleted: boolean | null): boolean =>
  tenantId === null || (status === "active" && deleted === false)

/** The entity is usable: active, live, and in an active, live tenant (or global). */
export const ownerIsActive = (owner: CertificateOwnerRow): boolean =>
  owner.status === "active" && !owner.deleted && tenantIsActive(owner.tenantId, owner.tenantStatus, owner.tenantDeleted)

/** The certificate's owner is usable (same rule, from the certificate's row). */
export const certificateOwnerIsActive = (row: CertificateRow): boolean =>
  row.entityStatus === "active" &&
  !row.entityDeleted &&
  tenantIsActive(row.tenantId, row.tenantStatus, row.tenantDeleted)
