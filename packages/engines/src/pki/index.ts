export {
  type EcCurve,
  type GeneratedKeyPair,
  type GeneratedKeyType,
  generateKeyPair,
  type KeyAlgorithm,
  type SignatureAlgorithmName,
  type SignatureScheme,
  type Signer,
  signatureSchemeFor,
  verifySignature,
} from "./algorithms.js"
export {
  type CaMaterialInput,
  type CaMaterialPaths,
  type CaMode,
  checkCaCertificate,
  checkLeafTtlSettings,
  type IntermediateCaMaterial,
  type Issuer,
  type IssuerKind,
  loadIssuer,
  missingSetting,
  type RootCaMaterial,
  requiredCaSettings,
} from "./caMaterial.js"
export {
  type BuildCrlInput,
  buildCrl,
  CRL_REASON_CODES,
  CRL_VALIDITY_SECS,
  type CrlEntry,
  type CrlReason,
} from "./crl.js"
export { ALLOWED_CSR_EXTENSIONS, MAX_CSR_BYTES, type ParsedCsr, parseCsr } from "./csr.js"
export type { Bytes } from "./der.js"
export {
  type CaCertificate,
  type CaCertificateOptions,
  createCaCertificate,
  type DevCa,
  type DevCaOptions,
  devCaFiles,
  devCaMaterial,
  generateDevCa,
  generateDevCaLayouts,
  generateKey,
} from "./devCa.js"
export {
  CaMaterialError,
  InvalidCertificateRequest,
  InvalidCsr,
  InvalidSerialNumber,
  OcspMalformedRequest,
  PkiInternalError,
} from "./errors.js"
export type { GeneralName, KeyUsage } from "./extensions.js"
export { fingerprintMatches, fingerprintSha256, normalizeFingerprint, sha1, sha256 } from "./fingerprint.js"
export { formatIpAddress, parseIpAddress } from "./ip.js"
export {
  type IssuedLeaf,
  type IssuedLeafFromCsr,
  type IssuedLeafWithKey,
  type IssueLeafFromCsrInput,
  type IssueLeafInput,
  issueLeafFromCsr,
  issueLeafWithGeneratedKey,
  LEAF_CLOCK_SKEW_SECS,
  type LeafTtlSettings,
  type LeafValidity,
  leafSubjectAltNames,
  leafValidity,
} from "./issueLeaf.js"
export {
  type BuildOcspResponseInput,
  buildOcspResponse,
  type CertIdMatchOptions,
  certIdMatchesIssuer,
  MAX_OCSP_REQUEST_BYTES,
  MAX_OCSP_REQUEST_ENTRIES,
  OCSP_RESPONSE_STATUS,
  OCSP_VALIDITY_SECS,
  type OcspAnswer,
  type OcspCertId,
  type OcspCertStatus,
  type OcspRequest,
  type OcspRequestLimits,
  type OcspResponseStatus,
  type OcspSingleResponse,
  OcspStatus,
  ocspUnsuccessfulResponse,
  parseOcspRequest,
  type RespondToOcspInput,
  respondToOcsp,
} from "./ocsp.js"
export { type PemBlock, type PemFailure, pemDecode, pemDecodeAll, pemEncode, pemLabels } from "./pem.js"
export {
  type GeneratedSerial,
  generateSerial,
  normalizeSerial,
  SERIAL_BYTES,
  serialHexFromInteger,
  serialToBytes,
} from "./serial.js"
export { type ParsedCertificate, parseCertificateDer } from "./x509.js"
