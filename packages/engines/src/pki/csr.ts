import { Effect, Either } from "effect"
import { type KeyAlgorithm, keyAlgorithmOf, verifySignature } from "./algorithms.js"
import {
  type Bytes,
  DerDecodeError,
  DerReader,
  decodeBitString,
  decodeObjectIdentifier,
  decodeSmallInteger,
  readSingle,
  Tag,
  toBytes,
} from "./der.js"
import { describeCause, InvalidCsr } from "./errors.js"
import {
  decodeExtKeyUsage,
  decodeGeneralNames,
  decodeKeyUsage,
  type Extension,
  type GeneralName,
  type KeyUsage,
  parseExtensions,
} from "./extensions.js"
import { commonNameOf, type DistinguishedName, nameToText, parseName } from "./names.js"
import { Oid } from "./oids.js"
import { pemDecode, pemLabels } from "./pem.js"
import {
  type AlgorithmIdentifier,
  parseAlgorithmIdentifier,
  parseSubjectPublicKeyInfo,
  type SubjectPublicKeyInfo,
} from "./x509.js"

/** Larger bodies are refused before parsing. */
export const MAX_CSR_BYTES = 64 * 1024

/** The only extensions a CSR may request (spec §3.2); anything else, basicConstraints included, is `invalid CSR`. */
export const ALLOWED_CSR_EXTENSIONS: ReadonlySet<string> = new Set([Oid.subjectAltName, Oid.keyUsage, Oid.extKeyUsage])

/** A CSR whose signature verified and which asks for nothing beyond a leaf. */
export interface ParsedCsr {
  readonly der: Bytes
  /** Kept byte for byte in the issued certificate. */
  readonly subjectDer: Bytes
  readonly subjectName: DistinguishedName
  /** `CN=…, O=…` text: metadata `subject.csr_subject`. */
  readonly subject: string
  readonly commonName: string | undefined
  readonly subjectPublicKeyInfo: SubjectPublicKeyInfo
  readonly keyAlgorithm: KeyAlgorithm
  readonly signatureAlgorithm: AlgorithmIdentifier
  /** DNS, IP, URI and email names, in request order. */
  readonly subjectAltNames: ReadonlyArray<GeneralName>
  readonly dnsNames: ReadonlyArray<string>
  /** Canonical text (RFC 5952 for IPv6). */
  readonly ipAddresses: ReadonlyArray<string>
  /** What was asked for; issuance overrides it (spec §3.2). */
  readonly requestedKeyUsage: ReadonlySet<KeyUsage> | undefined
  readonly requestedExtendedKeyUsage: ReadonlyArray<string> | undefined
}

const invalid = (reason: string): InvalidCsr => new InvalidCsr({ reason })

const extensionLabel = (oid: string): string =>
  oid === Oid.basicConstraints
    ? "basicConstraints (a CSR may not ask for CA rights)"
    : oid === Oid.nameConstraints
      ? "nameConstraints"
      : oid === Oid.subjectKeyIdentifier
        ? "subjectKeyIdentifier"
        : oid === Oid.authorityKeyIdentifier
          ? "authorityKeyIdentifier"
          : oid

const decodeInput = (input: string | Uint8Array): Either.Either<Bytes, InvalidCsr> => {
  if (typeof input !== "string" && input[0] === Tag.sequence) {
    return input.length > MAX_CSR_BYTES ? Either.left(invalid("CSR too large")) : Either.right(toBytes(input))
  }
  const text = typeof input === "string" ? input : new TextDecoder().decode(input)
  if (text.length > MAX_CSR_BYTES * 2) return Either.left(invalid("CSR too large"))
  return Either.map(
    Either.mapLeft(pemDecode(text, pemLabels.certificateRequest, pemLabels.newCertificateRequest), (failure) =>
      invalid(`not a PEM CERTIFICATE REQUEST (${failure})`),
    ),
    (block) => block.der,
  )
}

interface CsrStructure {
  readonly info: Bytes
  readonly subjectDer: Bytes
  readonly spki: SubjectPublicKeyInfo
  readonly extensions: ReadonlyArray<Extension>
  readonly signatureAlgorithm: AlgorithmIdentifier
  readonly signature: Bytes
}

const parseStructure = (der: Bytes): CsrStructure => {
  const request = DerReader.of(readSingle(der, Tag.sequence, "CertificationRequest"))
  const infoElement = request.expect(Tag.sequence, "CertificationRequestInfo")
  const signatureAlgorithm = parseAlgorithmIdentifier(request.next("signatureAlgorithm"), "signatureAlgorithm")
  const signature = decodeBitString(request.expect(Tag.bitString, "signature"), "signature").bytes
  request.finish("CertificationRequest")

  const info = DerReader.of(infoElement)
  const version = decodeSmallInteger(info.expect(Tag.integer, "version"), "version")
  if (version !== 0) throw new DerDecodeError(`unsupported CSR version ${version}`)
  const subject = info.expect(Tag.sequence, "subject")
  const spki = parseSubjectPublicKeyInfo(info.expect(Tag.sequence, "subjectPKInfo"))
  const attributes = info.expect(0xa0, "attributes")
  info.finish("CertificationRequestInfo")

  let extensions: ReadonlyArray<Extension> = []
  let sawExtensionRequest = false
  const attributeReader = DerReader.of(attributes)
  while (!attributeReader.done) {
    const attribute = DerReader.of(attributeReader.expect(Tag.sequence, "Attribute"))
    const type = decodeObjectIdentifier(attribute.next("attribute type"))
    const values = DerReader.of(attribute.expect(Tag.set, "attribute values"))
    attribute.finish("Attribute")
    // Other attributes (challengePassword, …) are ignored, as the reference ignores them
    if (type !== Oid.extensionRequest) continue
    if (sawExtensionRequest) throw new DerDecodeError("more than one extensionRequest attribute")
    sawExtensionRequest = true
    extensions = parseExtensions(values.expect(Tag.sequence, "extensionRequest"))
    values.finish("extensionRequest values")
  }
  return { info: infoElement.raw, subjectDer: subject.raw, spki, extensions, signatureAlgorithm, signature }
}

/**
 * Parses a PEM (or DER) PKCS#10 request, verifies its self-signature, and applies the spec §3.2
 * rules: only subjectAltName, keyUsage and extKeyUsage may be requested (basicConstraints, CA or
 * not, is refused), SAN entries must be DNS/IP/URI/email. Every refusal is `invalid CSR` with a
 * `reason`.
 */
export const parseCsr = (input: string | Uint8Array): Effect.Effect<ParsedCsr, InvalidCsr> =>
  Effect.gen(function* () {
    const der = yield* decodeInput(input)
    const structure = yield* Either.try({
      try: () => parseStructure(der),
      catch: (cause) => invalid(`malformed CSR: ${describeCause(cause)}`),
    })
    const keyAlgorithm = keyAlgorithmOf(structure.spki.algorithm)
    if (keyAlgorithm === undefined) {
      return yield* Either.left(invalid(`unsupported public key algorithm ${structure.spki.algorithm.oid}`))
    }
    const verified = yield* Effect.promise(() =>
      verifySignature({
        publicKey: structure.spki,
        signatureAlgorithm: structure.signatureAlgorithm,
        signature: structure.signature,
        data: structure.info,
      }),
    )
    if (!verified) return yield* Either.left(invalid("CSR signature does not verify"))

    const refused = structure.extensions.find((extension) => !ALLOWED_CSR_EXTENSIONS.has(extension.oid))
    if (refused !== undefined) return yield* Either.left(invalid(`CSR requests ${extensionLabel(refused.oid)}`))

    const decoded = yield* Either.try({
      try: () => {
        const san = structure.extensions.find((extension) => extension.oid === Oid.subjectAltName)
        const ku = structure.extensions.find((extension) => extension.oid === Oid.keyUsage)
        const eku = structure.extensions.find((extension) => extension.oid === Oid.extKeyUsage)
        const subjectName = parseName(structure.subjectDer)
        return {
          subjectName,
          subjectAltNames: san === undefined ? [] : decodeGeneralNames(san.value),
          requestedKeyUsage: ku === undefined ? undefined : decodeKeyUsage(ku.value),
          requestedExtendedKeyUsage: eku === undefined ? undefined : decodeExtKeyUsage(eku.value),
        }
      },
      catch: (cause) => invalid(`malformed CSR extension: ${describeCause(cause)}`),
    })
    const unsupportedName = decoded.subjectAltNames.find((name) => name._tag === "other")
    if (unsupportedName !== undefined) {
      return yield* Either.left(invalid("CSR subjectAltName may only hold DNS, IP, URI and email names"))
    }
    return {
      der,
      subjectDer: structure.subjectDer,
      subjectName: decoded.subjectName,
      subject: nameToText(decoded.subjectName),
      commonName: commonNameOf(decoded.subjectName),
      subjectPublicKeyInfo: structure.spki,
      keyAlgorithm,
      signatureAlgorithm: structure.signatureAlgorithm,
      subjectAltNames: decoded.subjectAltNames,
      dnsNames: decoded.subjectAltNames.flatMap((name) => (name._tag === "dns" ? [name.value] : [])),
      ipAddresses: decoded.subjectAltNames.flatMap((name) => (name._tag === "ip" ? [name.value] : [])),
      requestedKeyUsage: decoded.requestedKeyUsage,
      requestedExtendedKeyUsage: decoded.requestedExtendedKeyUsage,
    }
  })
