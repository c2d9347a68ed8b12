import { CertificateRpcs } from "@atom/domain/rpc"
import { CertificateService, type IssuedCertificate } from "@atom/services/certificates"
import { Effect, Redacted } from "effect"
import { asCaller } from "./toRpcError.js"

const given = <A>(value: A | null | undefined): A | undefined => (value === null ? undefined : value)

/** The private key of a generated certificate leaves the server here, once. */
const revealed = (issued: IssuedCertificate) => ({
  certificate: issued.certificate,
  privateKeyPem: issued.privateKeyPem === null ? null : Redacted.value(issued.privateKeyPem),
})

/** Certificates over RPC: the calls `certificatesModule` makes. */
export const certificateHandlers = CertificateRpcs.of({
  IssueCertificate: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        Effect.map(
          s.issue(caller, {
            entityId: p.entityId,
            ttlSecs: given(p.ttlSecs),
            commonName: given(p.commonName),
            dnsNames: given(p.dnsNames),
            ipAddresses: given(p.ipAddresses),
          }),
          revealed,
        ),
      ),
    ),
  IssueCertificateFromCsr: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        Effect.map(
          s.issueFromCsr(caller, { entityId: p.entityId, ttlSecs: given(p.ttlSecs), csrPem: p.csrPem }),
          revealed,
        ),
      ),
    ),
  RenewCertificate: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        Effect.map(
          s.renew(caller, { serialNumber: p.serialNumber, ttlSecs: given(p.ttlSecs), revokeOld: p.revokeOld ?? false }),
          revealed,
        ),
      ),
    ),
  GetCertificate: (ref) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        s.get(
          caller,
          "credentialId" in ref
            ? { _tag: "CredentialId", credentialId: ref.credentialId.toLowerCase() }
            : { _tag: "SerialNumber", serialNumber: ref.serialNumber },
        ),
      ),
    ),
  ListCertificates: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        s.list(caller, {
          entityId: given(p.entityId),
          tenantId: given(p.tenantId),
          status: given(p.status),
          limit: given(p.limit),
          offset: given(p.offset),
        }),
      ),
    ),
  RevokeCertificate: (p) =>
    asCaller((caller) =>
      Effect.flatMap(CertificateService, (s) =>
        s.revoke(caller, { serialNumber: p.serialNumber, reason: given(p.reason) }),
      ),
    ),
  RevokeEntityCertificates: ({ entityId, reason }) =>
    asCaller((caller) => Effect.flatMap(CertificateService, (s) => s.revokeEntity(caller, entityId, given(reason)))),
  CaChain: () => asCaller(() => Effect.flatMap(CertificateService, (s) => s.caChain)),
})
