import { Effect, Either } from "effect"
import { generateKeyPair } from "./algorithms.js"
import type { Issuer } from "./caMaterial.js"
import { keyIdentifierOf, signCertificate, truncateToSeconds } from "./certificate.js"
import { type ParsedCsr, parseCsr } from "./csr.js"
import { type Bytes, isAscii } from "./der.js"
import { describeCause, InvalidCertificateRequest, type InvalidCsr, PkiInternalError } from "./errors.js"
import {
  authorityKeyIdentifierValue,
  basicConstraintsValue,
  encodeExtension,
  extKeyUsageValue,
  type GeneralName,
  generalNamesValue,
  keyUsageValue,
  subjectKeyIdentifierValue,
} from "./extensions.js"
import { fingerprintSha256 } from "./fingerprint.js"
import { parseIpAddress } from "./ip.js"
import { encodeName } from "./names.js"
import { Oid } from "./oids.js"
import { pemEncode, pemLabels } from "./pem.js"
import { type GeneratedSerial, generateSerial } from "./serial.js"

/** notBefore is backdated this much for clock skew (spec §3.2). */
export const LEAF_CLOCK_SKEW_SECS = 300

/** `ATOM_CERTS_LEAF_DEFAULT_TTL_SECS` / `ATOM_CERTS_LEAF_MAX_TTL_SECS` (both 2592000 by default). */
export interface LeafTtlSettings {
  readonly defaultTtlSecs: number
  readonly maxTtlSecs: number
}

export interface LeafValidity {
  readonly ttlSecs: number
  readonly notBefore: Date
  readonly notAfter: Date
}

const badRequest = (message: string): InvalidCertificateRequest => new InvalidCertificateRequest({ message })

/**
 * The spec §3.2 TTL rules, in the reference's order: a missing TTL takes the default; 0 (or less)
 * → `certificate TTL must be greater than zero`; above the max → `certificate TTL exceeds
 * ATOM_CERTS_LEAF_MAX_TTL_SECS (<max>)`; notBefore = now − 300 s, notAfter = now + TTL, and a
 * notAfter past the issuer's → `requested certificate validity exceeds active issuer CA validity`.
 * Times are whole seconds, as the certificate carries them.
 */
export const leafValidity = (input: {
  readonly ttlSecs: number | undefined
  readonly settings: LeafTtlSettings
  readonly issuerNotAfter: Date
  readonly now: Date
}): Either.Either<LeafValidity, InvalidCertificateRequest> => {
  const ttlSecs = input.ttlSecs ?? input.settings.defaultTtlSecs
  if (!Number.isFinite(ttlSecs) || ttlSecs < 1)
    return Either.left(badRequest("certificate TTL must be greater than zero"))
  if (ttlSecs > input.settings.maxTtlSecs) {
    return Either.left(
      badRequest(`certificate TTL exceeds ATOM_CERTS_LEAF_MAX_TTL_SECS (${input.settings.maxTtlSecs})`),
    )
  }
  const now = truncateToSeconds(input.now).getTime()
  const notAfter = new Date(now + Math.floor(ttlSecs) * 1000)
  if (notAfter.getTime() > input.issuerNotAfter.getTime()) {
    return Either.left(badRequest("requested certificate validity exceeds active issuer CA validity"))
  }
  return Either.right({
    ttlSecs: Math.floor(ttlSecs),
    notBefore: new Date(now - LEAF_CLOCK_SKEW_SECS * 1000),
    notAfter,
  })
}

/** A signed leaf and what the certificate metadata records about it. */
export interface IssuedLeaf {
  readonly certificateDer: Bytes
  readonly certificatePem: string
  /** 32 lowercase hex characters: the credential `identifier`. */
  readonly serialNumber: string
  /** SHA-256 of the DER, lowercase hex. */
  readonly fingerprintSha256: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly subjectAltNames: ReadonlyArray<GeneralName>
  readonly issuedFromCsr: boolean
}

export interface IssuedLeafWithKey extends IssuedLeaf {
  readonly commonName: string
  /** The inputs as given, for metadata `dns_names` / `ip_addresses`. */
  readonly dnsNames: ReadonlyArray<string>
  readonly ipAddresses: ReadonlyArray<string>
  /** PKCS#8 PEM of the fresh P-256 key: return it once, never store it. */
  readonly privateKeyPem: string
}

export interface IssuedLeafFromCsr extends IssuedLeaf {
  readonly csr: ParsedCsr
}

export interface IssueLeafInput {
  readonly issuer: Issuer
  /** CN; the caller falls back to the entity UUID. */
  readonly commonName: string
  readonly dnsNames?: ReadonlyArray<string>
  readonly ipAddresses?: ReadonlyArray<string>
  readonly ttlSecs?: number | undefined
  readonly settings: LeafTtlSettings
  readonly now?: Date
  /** Defaults to a fresh random serial; a caller retrying a clash just calls again. */
  readonly serial?: GeneratedSerial
}

export interface IssueLeafFromCsrInput {
  readonly issuer: Issuer
  /** PEM text, DER bytes, or a request `parseCsr` already accepted. */
  readonly csr: string | Uint8Array | ParsedCsr
  readonly ttlSecs?: number | undefined
  readonly settings: LeafTtlSettings
  readonly now?: Date
  readonly serial?: GeneratedSerial
}

/**
 * The SAN of a generated certificate: dnsNames then ipAddresses, each value an IP SAN when it
 * parses as an IP and a DNS SAN otherwise (spec §3.2). A non-ASCII DNS name is an internal error.
 */
export const leafSubjectAltNames = (
  dnsNames: ReadonlyArray<string>,
  ipAddresses: ReadonlyArray<string>,
): Either.Either<ReadonlyArray<GeneralName>, PkiInternalError> => {
  const names: Array<GeneralName> = []
  for (const value of [...dnsNames, ...ipAddresses]) {
    const ip = parseIpAddress(value)
    if (ip !== undefined) {
      names.push({ _tag: "ip", bytes: ip, value })
    } else if (isAscii(value)) {
      names.push({ _tag: "dns", value })
    } else {
      return Either.left(
        new PkiInternalError({ detail: `certificate error: DNS name ${JSON.stringify(value)} is not ASCII` }),
      )
    }
  }
  return Either.right(names)
}

/**
 * The extensions every leaf gets, whatever a CSR asked: basicConstraints CA:false (critical), key
 * usage digitalSignature + keyEncipherment (critical), EKU serverAuth + clientAuth, SKI, AKI, SAN
 * (critical only when the subject is empty, RFC 5280 §4.2.1.6).
 */
const leafExtensions = (
  issuer: Issuer,
  subjectPublicKey: Uint8Array,
  subjectAltNames: ReadonlyArray<GeneralName>,
  emptySubject: boolean,
): ReadonlyArray<Bytes> => [
  encodeExtension(Oid.basicConstraints, true, basicConstraintsValue({ ca: false })),
  encodeExtension(Oid.keyUsage, true, keyUsageValue(["digitalSignature", "keyEncipherment"])),
  encodeExtension(Oid.extKeyUsage, false, extKeyUsageValue([Oid.serverAuth, Oid.clientAuth])),
  encodeExtension(Oid.subjectKeyIdentifier, false, subjectKeyIdentifierValue(keyIdentifierOf(subjectPublicKey))),
  encodeExtension(Oid.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuer.keyIdentifier)),
  ...(subjectAltNames.length === 0
    ? []
    : [encodeExtension(Oid.subjectAltName, emptySubject, generalNamesValue(subjectAltNames))]),
]

const signLeaf = (input: {
  readonly issuer: Issuer
  readonly serial: GeneratedSerial
  readonly subjectName: Bytes
  readonly subjectPublicKeyInfo: Bytes
  readonly subjectPublicKey: Uint8Array
  readonly subjectAltNames: ReadonlyArray<GeneralName>
  readonly validity: LeafValidity
  readonly issuedFromCsr: boolean
}): Effect.Effect<IssuedLeaf, PkiInternalError> =>
  Effect.tryPromise({
    try: async (): Promise<IssuedLeaf> => {
      const emptySubject = input.subjectName.length === 2
      const der = await signCertificate(
        {
          serialNumber: input.serial.bytes,
          issuerName: input.issuer.subjectDer,
          subjectName: input.subjectName,
          notBefore: input.validity.notBefore,
          notAfter: input.validity.notAfter,
          subjectPublicKeyInfo: input.subjectPublicKeyInfo,
          extensions: leafExtensions(input.issuer, input.subjectPublicKey, input.subjectAltNames, emptySubject),
        },
        input.issuer.signer,
      )
      return {
        certificateDer: der,
        certificatePem: pemEncode(pemLabels.certificate, der),
        serialNumber: input.serial.hex,
        fingerprintSha256: fingerprintSha256(der),
        notBefore: input.validity.notBefore,
        notAfter: input.validity.notAfter,
        subjectAltNames: input.subjectAltNames,
        issuedFromCsr: input.issuedFromCsr,
      }
    },
    catch: (cause) => new PkiInternalError({ detail: `certificate signing: ${describeCause(cause)}` }),
  })

/**
 * `issueCertificate`: a fresh ECDSA P-256 key and a leaf with subject CN only, signed by the
 * issuer with its own scheme. The private key comes back once as PKCS#8 PEM.
 */
export const issueLeafWithGeneratedKey = (
  input: IssueLeafInput,
): Effect.Effect<IssuedLeafWithKey, InvalidCertificateRequest | PkiInternalError> =>
  Effect.gen(function* () {
    const validity = yield* leafValidity({
      ttlSecs: input.ttlSecs,
      settings: input.settings,
      issuerNotAfter: input.issuer.notAfter,
      now: input.now ?? new Date(),
    })
    const dnsNames = input.dnsNames ?? []
    const ipAddresses = input.ipAddresses ?? []
    const subjectAltNames = yield* leafSubjectAltNames(dnsNames, ipAddresses)
    const key = yield* Effect.tryPromise({
      try: () => generateKeyPair("P-256"),
      catch: (cause) => new PkiInternalError({ detail: `key generation: ${describeCause(cause)}` }),
    })
    const privateKeyPem = pemEncode(pemLabels.privateKey, key.pkcs8)
    key.pkcs8.fill(0)
    const leaf = yield* signLeaf({
      issuer: input.issuer,
      serial: input.serial ?? generateSerial(),
      subjectName: encodeName([{ type: Oid.commonName, value: input.commonName }]),
      subjectPublicKeyInfo: key.spki,
      subjectPublicKey: key.publicKey,
      subjectAltNames,
      validity,
      issuedFromCsr: false,
    })
    return { ...leaf, commonName: input.commonName, dnsNames, ipAddresses, privateKeyPem }
  })

const isParsedCsr = (csr: string | Uint8Array | ParsedCsr): csr is ParsedCsr =>
  typeof csr !== "string" && !(csr instanceof Uint8Array)

/**
 * `issueCertificateFromCsr`: TTL checks first, then the CSR (`invalid CSR`), then a leaf keeping
 * the CSR's subject DN, SANs and public key, with Atom's own KU/EKU/basicConstraints.
 */
export const issueLeafFromCsr = (
  input: IssueLeafFromCsrInput,
): Effect.Effect<IssuedLeafFromCsr, InvalidCertificateRequest | InvalidCsr | PkiInternalError> =>
  Effect.gen(function* () {
    const validity = yield* leafValidity({
      ttlSecs: input.ttlSecs,
      settings: input.settings,
      issuerNotAfter: input.issuer.notAfter,
      now: input.now ?? new Date(),
    })
    const csr = isParsedCsr(input.csr) ? input.csr : yield* parseCsr(input.csr)
    const leaf = yield* signLeaf({
      issuer: input.issuer,
      serial: input.serial ?? generateSerial(),
      subjectName: csr.subjectDer,
      subjectPublicKeyInfo: csr.subjectPublicKeyInfo.der,
      subjectPublicKey: csr.subjectPublicKeyInfo.publicKey,
      subjectAltNames: csr.subjectAltNames,
      validity,
      issuedFromCsr: true,
    })
    return { ...leaf, csr }
  })
