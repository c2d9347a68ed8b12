import { Layer } from "effect"
import { CertificateService } from "./CertificateService.js"
import { CrlService } from "./CrlService.js"
import { IssuanceWriter } from "./IssuanceWriter.js"
import { OcspResponder } from "./OcspResponder.js"

export { revokeEntityCertificatesInTx, revokeTenantCertificatesInTx } from "@atom/repositories/certificates"
export * from "./CaSigner.js"
export * from "./CertificateService.js"
export * from "./CertificateView.js"
export * from "./CrlService.js"
export * from "./certificateGates.js"
export * from "./IssuanceWriter.js"
export * from "./OcspResponder.js"

/**
 * The certificates area's use cases: issuance, revocation and reads, the CRL, the OCSP responder (and the
 * issuance writer they share, for tests that hold it).
 * Needs CaSigner, the Certificates and CrlStates repositories, the Gate, the audit chains and the SqlClient.
 */
export const CertificatesLive = Layer.mergeAll(
  CertificateService.Default.pipe(Layer.provideMerge(IssuanceWriter.Default())),
  CrlService.Default,
  OcspResponder.Default,
)
