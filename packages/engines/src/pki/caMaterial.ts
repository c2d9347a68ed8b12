import { Effect, Either } from "effect"
import {
  importPkcs8SigningKey,
  type KeyAlgorithm,
  type SignatureScheme,
  type Signer,
  signBytes,
  verifySignature,
} from "./algorithms.js"
import { keyIdentifierOf } from "./certificate.js"
import { type Bytes, toHex } from "./der.js"
import { CaMaterialError, describeCause } from "./errors.js"
import { decodeBasicConstraints, decodeKeyUsage, decodeSubjectKeyIdentifier } from "./extensions.js"
import { fingerprintSha256, sha1, sha256 } from "./fingerprint.js"
import { Oid } from "./oids.js"
import { pemDecode, pemEncode, pemLabels } from "./pem.js"
import { findExtension, type ParsedCertificate, parseCertificateDer } from "./x509.js"

/** `ATOM_CERTS_CA_MODE`. */
export type CaMode = "file_intermediate_issuer" | "file_root_issuer"

/** `issuer_kind` in certificate metadata. */
export type IssuerKind = "root" | "intermediate"

/** File paths, only to name the file in error messages (the caller reads the files). */
export interface CaMaterialPaths {
  readonly rootCert?: string
  readonly rootKey?: string
  readonly intermediateCert?: string
  readonly intermediateKey?: string
}

/** `file_intermediate_issuer`: signs with the intermediate; the chain is intermediate + root. */
export interface IntermediateCaMaterial {
  readonly mode: "file_intermediate_issuer"
  readonly rootCertPem: string
  readonly intermediateCertPem: string
  /** PKCS#8 `PRIVATE KEY` PEM: EC P-256/P-384/P-521, RSA or Ed25519. */
  readonly intermediateKeyPem: string
  readonly paths?: CaMaterialPaths
}

/** `file_root_issuer`: signs with the root; the chain is the root alone. */
export interface RootCaMaterial {
  readonly mode: "file_root_issuer"
  readonly rootCertPem: string
  /** PKCS#8 `PRIVATE KEY` PEM. */
  readonly rootKeyPem: string
  readonly paths?: CaMaterialPaths
}

/** The PEM texts of the configured files (spec §3.1). */
export type CaMaterialInput = IntermediateCaMaterial | RootCaMaterial

/** The loaded issuing CA: what spec §3.1 keeps in memory, and the key that signs leaves, CRLs and OCSP. */
export interface Issuer {
  readonly mode: CaMode
  readonly kind: IssuerKind
  /** Issuer subject text, `CN=…` (metadata `issuer_subject`). */
  readonly subject: string
  readonly subjectDer: Bytes
  /** The issuer certificate's serial INTEGER content as lowercase hex (`issuer_serial_number`). */
  readonly serialNumber: string
  /** SHA-256 of the issuer certificate DER, lowercase hex (`issuer_fingerprint_sha256`). */
  readonly fingerprintSha256: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly certificate: ParsedCertificate
  readonly certificateDer: Bytes
  readonly certificatePem: string
  /** `GET /certs/ca-chain`: intermediate then root, or the root alone. */
  readonly chainPem: string
  readonly keyAlgorithm: KeyAlgorithm
  readonly signatureScheme: SignatureScheme
  /** The non-extractable private key. */
  readonly signingKey: CryptoKey
  readonly signer: Signer
  /** The issuer's key identifier: its SKI extension, else SHA-1 of its key bits. Leaves' AKI. */
  readonly keyIdentifier: Bytes
  /** OCSP CertID hashes: of the subject Name DER and of the subjectPublicKey bits. */
  readonly nameHashSha1: Bytes
  readonly keyHashSha1: Bytes
  readonly nameHashSha256: Bytes
  readonly keyHashSha256: Bytes
}

type CaLabel = "root CA" | "intermediate CA"

const failure = (message: string): CaMaterialError => new CaMaterialError({ message })
const at = (path: string | undefined): string => (path === undefined ? "" : ` at ${path}`)

/** Parses one CA certificate and applies the per-certificate startup checks, in the reference's order. */
export const checkCaCertificate = (
  pem: string,
  label: CaLabel,
  now: Date,
  path?: string,
): Either.Either<ParsedCertificate, CaMaterialError> =>
  Either.gen(function* () {
    const block = yield* Either.mapLeft(pemDecode(pem, pemLabels.certificate), () =>
      failure(`invalid ${label} PEM${at(path)}`),
    )
    const certificate = yield* Either.try({
      try: () => parseCertificateDer(block.der),
      catch: () => failure(`invalid ${label} certificate${at(path)}`),
    })
    const basic = findExtension(certificate.extensions, Oid.basicConstraints)
    const isCa = yield* Either.try({
      try: () => basic !== undefined && decodeBasicConstraints(basic.value).ca,
      catch: () => failure(`invalid ${label} basic constraints`),
    })
    if (!isCa) return yield* Either.left(failure(`${label} must be a CA certificate`))
    const keyUsage = findExtension(certificate.extensions, Oid.keyUsage)
    if (keyUsage !== undefined) {
      const usages = yield* Either.try({
        try: () => decodeKeyUsage(keyUsage.value),
        catch: () => failure(`invalid ${label} key usage`),
      })
      if (!usages.has("keyCertSign") || !usages.has("cRLSign")) {
        return yield* Either.left(failure(`${label} key usage must allow certificate and CRL signing`))
      }
    }
    if (certificate.notAfter.getTime() <= now.getTime()) return yield* Either.left(failure(`${label} is expired`))
    return certificate
  })

const verifiedBy = (subject: ParsedCertificate, issuer: ParsedCertificate): Effect.Effect<boolean> =>
  Effect.promise(() =>
    verifySignature({
      publicKey: issuer.spki,
      signatureAlgorithm: subject.signatureAlgorithm,
      signature: subject.signature,
      data: subject.tbs,
    }),
  )

/** Imports the PKCS#8 key and zeroises the decoded DER; then proves the key signs for the certificate. */
const importMatchingKey = (
  keyPem: string,
  label: CaLabel,
  certificate: ParsedCertificate,
  path: string | undefined,
): Effect.Effect<Signer & { readonly algorithm: KeyAlgorithm }, CaMaterialError> =>
  Effect.gen(function* () {
    const block = yield* Either.mapLeft(pemDecode(keyPem, pemLabels.privateKey), () =>
      failure(`invalid ${label} private key${at(path)}: expected a PKCS#8 "PRIVATE KEY" PEM block`),
    )
    const imported = yield* Effect.tryPromise({
      try: () => importPkcs8SigningKey(block.der),
      catch: (cause) => failure(`invalid ${label} private key${at(path)}: ${describeCause(cause)}`),
    }).pipe(Effect.ensuring(Effect.sync(() => block.der.fill(0))))
    // The key matches when what it signs verifies under the certificate's public key
    const challenge = crypto.getRandomValues(new Uint8Array(32))
    const matches = yield* Effect.promise(async () => {
      try {
        const signature = await signBytes(imported, challenge)
        return await verifySignature({
          publicKey: certificate.spki,
          signatureAlgorithm: { oid: imported.scheme.oid, parameters: undefined },
          signature,
          data: challenge,
        })
      } catch {
        return false
      }
    })
    if (!matches) return yield* Effect.fail(failure("issuer private key does not match issuer certificate"))
    return imported
  })

const buildIssuer = (
  mode: CaMode,
  kind: IssuerKind,
  certificate: ParsedCertificate,
  chain: ReadonlyArray<ParsedCertificate>,
  signer: Signer & { readonly algorithm: KeyAlgorithm },
): Either.Either<Issuer, CaMaterialError> =>
  Either.gen(function* () {
    const ski = findExtension(certificate.extensions, Oid.subjectKeyIdentifier)
    const keyIdentifier = yield* Either.try({
      try: () =>
        ski === undefined ? keyIdentifierOf(certificate.spki.publicKey) : decodeSubjectKeyIdentifier(ski.value),
      catch: () => failure(`invalid ${kind} CA subject key identifier`),
    })
    return {
      mode,
      kind,
      subject: certificate.subject,
      subjectDer: certificate.subjectDer,
      serialNumber: toHex(certificate.serialNumber),
      fingerprintSha256: fingerprintSha256(certificate.der),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      certificate,
      certificateDer: certificate.der,
      certificatePem: pemEncode(pemLabels.certificate, certificate.der),
      chainPem: chain.map((link) => pemEncode(pemLabels.certificate, link.der)).join(""),
      keyAlgorithm: signer.algorithm,
      signatureScheme: signer.scheme,
      signingKey: signer.key,
      signer: { key: signer.key, scheme: signer.scheme },
      keyIdentifier,
      nameHashSha1: sha1(certificate.subjectDer),
      keyHashSha1: sha1(certificate.spki.publicKey),
      nameHashSha256: sha256(certificate.subjectDer),
      keyHashSha256: sha256(certificate.spki.publicKey),
    }
  })

/**
 * Parses and checks the CA material of either mode (spec §3.1, the reference's order and messages):
 * each CA certificate is a CA (`root CA must be a CA certificate`), its key usage (when present)
 * allows keyCertSign and cRLSign, it is not expired (`root CA is expired`; notBefore is not
 * checked); the intermediate is signed by the root (`intermediate CA is not signed by root CA`) or
 * the root is self-signed (`root CA is not self-signed`); and the key matches the certificate
 * (`issuer private key does not match issuer certificate`).
 */
export const loadIssuer = (
  input: CaMaterialInput,
  options: { readonly now?: Date } = {},
): Effect.Effect<Issuer, CaMaterialError> =>
  Effect.gen(function* () {
    const now = options.now ?? new Date()
    const root = yield* checkCaCertificate(input.rootCertPem, "root CA", now, input.paths?.rootCert)
    if (input.mode === "file_intermediate_issuer") {
      const intermediate = yield* checkCaCertificate(
        input.intermediateCertPem,
        "intermediate CA",
        now,
        input.paths?.intermediateCert,
      )
      if (!(yield* verifiedBy(intermediate, root))) {
        return yield* Effect.fail(failure("intermediate CA is not signed by root CA"))
      }
      const signer = yield* importMatchingKey(
        input.intermediateKeyPem,
        "intermediate CA",
        intermediate,
        input.paths?.intermediateKey,
      )
      return yield* buildIssuer(input.mode, "intermediate", intermediate, [intermediate, root], signer)
    }
    if (!(yield* verifiedBy(root, root))) return yield* Effect.fail(failure("root CA is not self-signed"))
    const signer = yield* importMatchingKey(input.rootKeyPem, "root CA", root, input.paths?.rootKey)
    return yield* buildIssuer(input.mode, "root", root, [root], signer)
  })

/** The environment variables a mode needs; each missing one is `<VAR> must be set` (see `missingSetting`). */
export const requiredCaSettings = (mode: CaMode): ReadonlyArray<string> =>
  mode === "file_intermediate_issuer"
    ? ["ATOM_CERTS_ROOT_CA_CERT_PATH", "ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH", "ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH"]
    : ["ATOM_CERTS_ROOT_CA_CERT_PATH", "ATOM_CERTS_ROOT_CA_KEY_PATH"]

export const missingSetting = (variable: string): CaMaterialError => failure(`${variable} must be set`)

/** The first startup check: the default leaf TTL may not exceed the maximum. */
export const checkLeafTtlSettings = (settings: {
  readonly defaultTtlSecs: number
  readonly maxTtlSecs: number
}): Either.Either<void, CaMaterialError> =>
  settings.defaultTtlSecs > settings.maxTtlSecs
    ? Either.left(
        failure("ATOM_CERTS_LEAF_DEFAULT_TTL_SECS must be less than or equal to ATOM_CERTS_LEAF_MAX_TTL_SECS"),
      )
    : Either.right(undefined)
