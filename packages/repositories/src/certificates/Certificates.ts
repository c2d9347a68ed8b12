import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { announceLocalChange } from "../db/localChanges.js"
import { CertificateOwnerRow, CertificateRow, type CertificateStatus, SerialStatusRow } from "./rows.js"

/** A signed leaf to store as a `kind = 'certificate'` credential (identifier = serial, no secret). */
export interface NewCertificate {
  readonly id: string
  readonly entityId: string
  readonly serialNumber: string
  readonly fingerprintSha256: string
  readonly certificatePem: string
  readonly notBefore: Date
  readonly notAfter: Date
  /** `{common_name}` for generated keys, `{csr_subject}` for CSR issuance. */
  readonly subject: Readonly<Record<string, string>>
  readonly dnsNames: ReadonlyArray<string>
  readonly ipAddresses: ReadonlyArray<string>
  readonly issuedFromCsr: boolean
  readonly issuerKind: "root" | "intermediate"
  readonly issuerSubject: string
  readonly issuerSerialNumber: string
  readonly issuerFingerprintSha256: string
}

export interface CertificateFilter {
  readonly entityId?: string | undefined
  readonly tenantId?: string | undefined
  readonly status?: CertificateStatus | undefined
  readonly limit: number
  readonly offset: number
}

const CreatedRow = Schema.Struct({ createdAt: Schema.DateFromSelf })
const PackedRevokedRow = Schema.Struct({ packed: Schema.NullOr(Schema.String) })

/** A CRL entry as stored: the serial (lowercase hex) and when it was revoked. */
export interface RevokedSerial {
  readonly serialNumber: string
  readonly revokedAt: Date
}

/** `serial seconds,serial seconds,…` → entries. */
const unpackRevoked = (packed: string | null): ReadonlyArray<RevokedSerial> => {
  if (packed === null || packed === "") return []
  return packed.split(",").map((item) => {
    const space = item.indexOf(" ")
    return { serialNumber: item.slice(0, space), revokedAt: new Date(Number(item.slice(space + 1)) * 1000) }
  })
}
const CreatedIdRow = Schema.Struct({ id: Schema.String, createdAt: Schema.DateFromSelf })

/** One leaf as a `jsonb_to_recordset` row (times as ISO text, lists and subject as JSON). */
const toJsonRow = (row: NewCertificate) => ({
  id: row.id,
  entity_id: row.entityId,
  serial_number: row.serialNumber,
  fingerprint_sha256: row.fingerprintSha256,
  certificate_pem: row.certificatePem,
  not_before: row.notBefore.toISOString(),
  not_after: row.notAfter.toISOString(),
  subject: row.subject,
  dns_names: row.dnsNames,
  ip_addresses: row.ipAddresses,
  issued_from_csr: row.issuedFromCsr,
  issuer_kind: row.issuerKind,
  issuer_subject: row.issuerSubject,
  issuer_serial_number: row.issuerSerialNumber,
  issuer_fingerprint_sha256: row.issuerFingerprintSha256,
})

const SELECT_CERTIFICATE = `
  SELECT c.id, c.entity_id, e.tenant_id, c.serial_number, c.status, c.certificate_pem, c.subject::text AS subject,
         c.dns_names, c.ip_addresses, c.fingerprint_sha256, c.issuer_fingerprint_sha256, c.issued_from_csr,
         c.not_before, c.not_after, c.expires_at, c.created_at, c.revoked_at, c.revocation_reason,
         e.status AS entity_status, (e.deleted_at IS NOT NULL) AS entity_deleted,
         t.status AS tenant_status, CASE WHEN t.id IS NULL THEN NULL ELSE t.deleted_at IS NOT NULL END AS tenant_deleted
  FROM credentials c
  JOIN entities e ON e.id = c.entity_id
  LEFT JOIN tenants t ON t.id = e.tenant_id`

/** Issued certificates: the credential rows with their certificate columns, and what OCSP and CRLs read. */
export class Certificates extends Effect.Service<Certificates>()("atom/Certificates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const certificates = decodeRows(CertificateRow)
    const base = sql.unsafe(SELECT_CERTIFICATE)
    const first = <A>(rows: ReadonlyArray<A>): A | undefined => rows[0]
    const announced = Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)

    return {
      /**
       * Stores a leaf and answers its creation time; undefined (nothing written) when its serial is
       * already taken, so the caller can retry with a fresh serial without aborting its transaction.
       */
      insert: (row: NewCertificate) =>
        decodeRows(CreatedRow)(
          sql`INSERT INTO credentials (id, entity_id, kind, identifier, serial_number, fingerprint_sha256,
                certificate_pem, not_before, not_after, expires_at, subject, dns_names, ip_addresses,
                issued_from_csr, issuer_kind, issuer_subject, issuer_serial_number, issuer_fingerprint_sha256)
              VALUES (${row.id}, ${row.entityId}, 'certificate', ${row.serialNumber}, ${row.serialNumber},
                ${row.fingerprintSha256}, ${row.certificatePem}, ${row.notBefore}, ${row.notAfter}, ${row.notAfter},
                ${JSON.stringify(row.subject)}::jsonb, ${JSON.stringify(row.dnsNames)}::jsonb,
                ${JSON.stringify(row.ipAddresses)}::jsonb, ${row.issuedFromCsr}, ${row.issuerKind},
                ${row.issuerSubject}, ${row.issuerSerialNumber}, ${row.issuerFingerprintSha256})
              ON CONFLICT (serial_number) WHERE serial_number IS NOT NULL DO NOTHING
              RETURNING created_at`,
        ).pipe(Effect.map((rows) => rows[0]?.createdAt)),

      /**
       * Stores several leaves in one statement and answers the id and creation time of each one
       * written; a leaf whose serial is already taken is skipped (absent from the answer).
       */
      insertMany: (rows: ReadonlyArray<NewCertificate>) =>
        rows.length === 0
          ? Effect.succeed([])
          : decodeRows(CreatedIdRow)(
              sql`INSERT INTO credentials (id, entity_id, kind, identifier, serial_number, fingerprint_sha256,
                    certificate_pem, not_before, not_after, expires_at, subject, dns_names, ip_addresses,
                    issued_from_csr, issuer_kind, issuer_subject, issuer_serial_number, issuer_fingerprint_sha256)
                  SELECT x.id, x.entity_id, 'certificate', x.serial_number, x.serial_number, x.fingerprint_sha256,
                    x.certificate_pem, x.not_before, x.not_after, x.not_after, x.subject, x.dns_names, x.ip_addresses,
                    x.issued_from_csr, x.issuer_kind, x.issuer_subject, x.issuer_serial_number,
                    x.issuer_fingerprint_sha256
                  FROM jsonb_to_recordset(${JSON.stringify(rows.map(toJsonRow))}::jsonb) AS x(
                    id uuid, entity_id uuid, serial_number text, fingerprint_sha256 text, certificate_pem text,
                    not_before timestamptz, not_after timestamptz, subject jsonb, dns_names jsonb, ip_addresses jsonb,
                    issued_from_csr boolean, issuer_kind text, issuer_subject text, issuer_serial_number text,
                    issuer_fingerprint_sha256 text)
                  ON CONFLICT (serial_number) WHERE serial_number IS NOT NULL DO NOTHING
                  RETURNING id::text AS id, created_at`,
            ),

      byId: (id: string) =>
        certificates(sql`${base} WHERE c.kind = 'certificate' AND c.id = ${id}`).pipe(Effect.map(first)),

      /** By normalised serial (lowercase even-length hex). */
      bySerial: (serialNumber: string) =>
        certificates(sql`${base} WHERE c.kind = 'certificate' AND c.serial_number = ${serialNumber}`).pipe(
          Effect.map(first),
        ),

      /** Newest first; `total` of the listing is the page length (api.md §3.4). */
      list: (filter: CertificateFilter) =>
        certificates(
          sql`${base} WHERE c.kind = 'certificate'
              ${filter.entityId === undefined ? sql`` : sql`AND c.entity_id = ${filter.entityId}`}
              ${filter.tenantId === undefined ? sql`` : sql`AND e.tenant_id = ${filter.tenantId}`}
              ${filter.status === undefined ? sql`` : sql`AND c.status = ${filter.status}`}
              ORDER BY c.created_at DESC, c.id
              LIMIT ${filter.limit} OFFSET ${filter.offset}`,
        ),

      /** The entity a certificate belongs to (or is requested for), live or not. */
      owner: (entityId: string) =>
        decodeRows(CertificateOwnerRow)(
          sql`SELECT e.id, e.tenant_id, e.status, (e.deleted_at IS NOT NULL) AS deleted,
                     t.status AS tenant_status,
                     CASE WHEN t.id IS NULL THEN NULL ELSE t.deleted_at IS NOT NULL END AS tenant_deleted
              FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE e.id = ${entityId}`,
        ).pipe(Effect.map(first)),

      /**
       * Revokes one certificate; revoking again overwrites the time and reason (spec §3.3). This
       * replica's OCSP answers are dropped when the caller's transaction ends (others hear NOTIFY).
       */
      revoke: (id: string, reason: string) =>
        execute(
          sql`UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = ${reason},
                updated_at = now()
              WHERE id = ${id} AND kind = 'certificate'`,
        ).pipe(Effect.zipLeft(announced)),

      /** Status of each serial that exists (OCSP), in one round trip. */
      statuses: (serialNumbers: ReadonlyArray<string>) =>
        serialNumbers.length === 0
          ? Effect.succeed([])
          : decodeRows(SerialStatusRow)(
              sql`SELECT serial_number, status, revoked_at FROM credentials
                  WHERE kind = 'certificate' AND serial_number IN ${sql.in(serialNumbers)}`,
            ),

      /**
       * Every revoked certificate of one issuer: the CRL's entries, in no particular order, times in whole
       * seconds (as a CRL carries them). Expired ones are never pruned. One row of packed text
       * (`serial seconds,…`) rather than a row per certificate: with 100,000 entries the per-row decoding
       * costs far more than the query. No ORDER BY (a CRL's entries are a set; sorting 100,000 rows is a
       * good part of the query), and `date_part` (double) rather than `extract` (numeric).
       */
      revokedOfIssuer: (issuerFingerprintSha256: string) =>
        decodeRows(PackedRevokedRow)(
          sql`SELECT string_agg(serial_number || ' ' || floor(date_part('epoch', revoked_at))::bigint::text, ',')
                       AS packed
              FROM credentials
              WHERE kind = 'certificate' AND status = 'revoked' AND revoked_at IS NOT NULL
                AND issuer_fingerprint_sha256 = ${issuerFingerprintSha256}`,
        ).pipe(Effect.map((rows) => unpackRevoked(rows[0]?.packed ?? null))),
    }
  }),
}) {}
