import {
  type Bytes,
  DerDecodeError,
  type DerElement,
  DerReader,
  decodeBitString,
  decodeObjectIdentifier,
  decodeSmallInteger,
  decodeTime,
  integerContent,
  readSingle,
  Tag,
} from "./der.js"
import { type Extension, parseExtensions } from "./extensions.js"
import { type DistinguishedName, nameToText, parseName } from "./names.js"

export interface AlgorithmIdentifier {
  readonly oid: string
  /** The raw parameters element, when present (NULL included). */
  readonly parameters: Bytes | undefined
}

export interface SubjectPublicKeyInfo {
  /** The whole SubjectPublicKeyInfo DER. */
  readonly der: Bytes
  readonly algorithm: AlgorithmIdentifier
  /** The subjectPublicKey BIT STRING bytes (what OCSP key hashes and RFC 5280 key ids cover). */
  readonly publicKey: Bytes
}

export interface ParsedCertificate {
  readonly der: Bytes
  /** The exact TBSCertificate bytes the signature covers. */
  readonly tbs: Bytes
  readonly version: number
  /** The serial INTEGER content, as encoded. */
  readonly serialNumber: Bytes
  readonly signatureAlgorithm: AlgorithmIdentifier
  readonly signature: Bytes
  readonly issuerDer: Bytes
  readonly subjectDer: Bytes
  readonly subjectName: DistinguishedName
  /** `CN=…, O=…` text (see names.ts). */
  readonly subject: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly spki: SubjectPublicKeyInfo
  readonly extensions: ReadonlyArray<Extension>
}

export const parseAlgorithmIdentifier = (element: DerElement, what: string): AlgorithmIdentifier => {
  if (element.tag !== Tag.sequence) throw new DerDecodeError(`${what}: expected a SEQUENCE`)
  const reader = DerReader.of(element)
  const oid = decodeObjectIdentifier(reader.next(what))
  const parameters = reader.done ? undefined : reader.next(`${what} parameters`).raw
  reader.finish(what)
  return { oid, parameters }
}

export const parseSubjectPublicKeyInfo = (element: DerElement): SubjectPublicKeyInfo => {
  if (element.tag !== Tag.sequence) throw new DerDecodeError("SubjectPublicKeyInfo: expected a SEQUENCE")
  const reader = DerReader.of(element)
  const algorithm = parseAlgorithmIdentifier(reader.next("SPKI algorithm"), "SPKI algorithm")
  const bits = decodeBitString(reader.expect(Tag.bitString, "subjectPublicKey"), "subjectPublicKey")
  reader.finish("SubjectPublicKeyInfo")
  return { der: element.raw, algorithm, publicKey: bits.bytes }
}

/** Parses a DER X.509 certificate. Throws DerDecodeError; public callers turn it into a typed error. */
export const parseCertificateDer = (der: Bytes): ParsedCertificate => {
  const certificate = DerReader.of(readSingle(der, Tag.sequence, "Certificate"))
  const tbsElement = certificate.expect(Tag.sequence, "TBSCertificate")
  const signatureAlgorithm = parseAlgorithmIdentifier(certificate.next("signatureAlgorithm"), "signatureAlgorithm")
  const signature = decodeBitString(certificate.expect(Tag.bitString, "signatureValue"), "signatureValue").bytes
  certificate.finish("Certificate")

  const tbs = DerReader.of(tbsElement)
  const versionElement = tbs.optional(0xa0, "version")
  const version =
    versionElement === undefined
      ? 0
      : decodeSmallInteger(readSingle(versionElement.content, Tag.integer, "version"), "version")
  const serialNumber = integerContent(tbs.expect(Tag.integer, "serialNumber"), "serialNumber")
  parseAlgorithmIdentifier(tbs.next("signature"), "signature")
  const issuer = tbs.expect(Tag.sequence, "issuer")
  const validity = DerReader.of(tbs.expect(Tag.sequence, "validity"))
  const notBefore = decodeTime(validity.next("notBefore"), "notBefore")
  const notAfter = decodeTime(validity.next("notAfter"), "notAfter")
  validity.finish("validity")
  const subject = tbs.expect(Tag.sequence, "subject")
  const spki = parseSubjectPublicKeyInfo(tbs.expect(Tag.sequence, "subjectPublicKeyInfo"))
  tbs.optional(0x81, "issuerUniqueID")
  tbs.optional(0x82, "subjectUniqueID")
  const extensionsElement = tbs.optional(0xa3, "extensions")
  tbs.finish("TBSCertificate")
  const extensions =
    extensionsElement === undefined
      ? []
      : parseExtensions(readSingle(extensionsElement.content, Tag.sequence, "Extensions"))
  const subjectName = parseName(subject.raw)
  return {
    der,
    tbs: tbsElement.raw,
    version,
    serialNumber,
    signatureAlgorithm,
    signature,
    issuerDer: issuer.raw,
    subjectDer: subject.raw,
    subjectName,
    subject: nameToText(subjectName),
    notBefore,
    notAfter,
    spki,
    extensions,
  }
}

export const findExtension = (extensions: ReadonlyArray<Extension>, oid: string): Extension | undefined =>
  extensions.find((extension) => extension.oid === oid)
