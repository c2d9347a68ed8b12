import { type Signer, signBytes } from "./algorithms.js"
import { type Bytes, bitString, explicit, sequence, smallInteger, unsignedInteger, x509Time } from "./der.js"
import { sha1 } from "./fingerprint.js"

/** Everything a v3 certificate says, with names and the key already encoded. */
export interface CertificateTemplate {
  /** The serial's magnitude (big-endian, positive). */
  readonly serialNumber: Uint8Array
  /** The issuer's subject Name DER, copied byte for byte (chain building compares it). */
  readonly issuerName: Bytes
  readonly subjectName: Bytes
  readonly notBefore: Date
  readonly notAfter: Date
  /** SubjectPublicKeyInfo DER. */
  readonly subjectPublicKeyInfo: Bytes
  /** Encoded Extension elements, in order. */
  readonly extensions: ReadonlyArray<Bytes>
}

/** Builds the TBSCertificate, signs it, and returns the certificate DER. */
export const signCertificate = async (template: CertificateTemplate, signer: Signer): Promise<Bytes> => {
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(template.serialNumber),
    signer.scheme.algorithmIdentifier,
    template.issuerName,
    sequence(x509Time(template.notBefore), x509Time(template.notAfter)),
    template.subjectName,
    template.subjectPublicKeyInfo,
    ...(template.extensions.length === 0 ? [] : [explicit(3, sequence(...template.extensions))]),
  )
  const signature = await signBytes(signer, tbs)
  return sequence(tbs, signer.scheme.algorithmIdentifier, bitString(signature))
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export const keyIdentifierOf = (subjectPublicKey: Uint8Array): Bytes => sha1(subjectPublicKey)

/** Whole seconds: X.509 times carry no fractions, so compare and store what the certificate says. */
export const truncateToSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000)
