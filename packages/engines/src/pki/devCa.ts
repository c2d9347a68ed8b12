import { Effect } from "effect"
import { type GeneratedKeyPair, type GeneratedKeyType, generateKeyPair, type Signer } from "./algorithms.js"
import type { CaMaterialInput, CaMode, IntermediateCaMaterial, RootCaMaterial } from "./caMaterial.js"
import { keyIdentifierOf, signCertificate, truncateToSeconds } from "./certificate.js"
import type { Bytes } from "./der.js"
import { describeCause, PkiInternalError } from "./errors.js"
import {
  authorityKeyIdentifierValue,
  type BasicConstraints,
  basicConstraintsValue,
  encodeExtension,
  type KeyUsage,
  keyUsageValue,
  subjectKeyIdentifierValue,
} from "./extensions.js"
import { encodeName, type NameAttribute } from "./names.js"
import { Oid } from "./oids.js"
import { pemEncode, pemLabels } from "./pem.js"
import { generateSerial } from "./serial.js"

const DAY_MS = 86_400_000

export interface CaCertificateOptions {
  readonly subject: ReadonlyArray<NameAttribute>
  readonly subjectKey: GeneratedKeyPair
  /** Omit for a self-signed certificate. */
  readonly issuer?: { readonly certificateSubject: Bytes; readonly keyIdentifier: Bytes; readonly signer: Signer }
  readonly notBefore: Date
  readonly notAfter: Date
  /** null leaves the extension out (tests of the `must be a CA certificate` check). */
  readonly basicConstraints: BasicConstraints | null
  /** null leaves the extension out (allowed: spec checks key usage only when present). */
  readonly keyUsage: ReadonlyArray<KeyUsage> | null
}

export interface CaCertificate {
  readonly der: Bytes
  readonly pem: string
  readonly subjectName: Bytes
  readonly keyIdentifier: Bytes
}

/**
 * Builds a CA-like certificate (root when `issuer` is absent). Used by the development CA and by
 * tests that need deliberately broken CA material.
 */
export const createCaCertificate = (options: CaCertificateOptions): Effect.Effect<CaCertificate, PkiInternalError> =>
  Effect.tryPromise({
    try: async () => {
      const subjectName = encodeName(options.subject)
      const keyIdentifier = keyIdentifierOf(options.subjectKey.publicKey)
      const issuer = options.issuer ?? {
        certificateSubject: subjectName,
        keyIdentifier,
        signer: options.subjectKey.signer,
      }
      const extensions: Array<Bytes> = []
      if (options.basicConstraints !== null) {
        extensions.push(encodeExtension(Oid.basicConstraints, true, basicConstraintsValue(options.basicConstraints)))
      }
      if (options.keyUsage !== null) {
        extensions.push(encodeExtension(Oid.keyUsage, true, keyUsageValue(options.keyUsage)))
      }
      extensions.push(encodeExtension(Oid.subjectKeyIdentifier, false, subjectKeyIdentifierValue(keyIdentifier)))
      extensions.push(
        encodeExtension(Oid.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuer.keyIdentifier)),
      )
      const der = await signCertificate(
        {
          serialNumber: generateSerial().bytes,
          issuerName: issuer.certificateSubject,
          subjectName,
          notBefore: options.notBefore,
          notAfter: options.notAfter,
          subjectPublicKeyInfo: options.subjectKey.spki,
          extensions,
        },
        issuer.signer,
      )
      return { der, pem: pemEncode(pemLabels.certificate, der), subjectName, keyIdentifier }
    },
    catch: (cause) => new PkiInternalError({ detail: `CA certificate: ${describeCause(cause)}` }),
  })

export const generateKey = (type: GeneratedKeyType): Effect.Effect<GeneratedKeyPair, PkiInternalError> =>
  Effect.tryPromise({
    try: () => generateKeyPair(type),
    catch: (cause) => new PkiInternalError({ detail: `key generation: ${describeCause(cause)}` }),
  })

/** The four PEM files of a development CA, as `ATOM_CERTS_*_PATH` would point at them. */
export interface DevCa {
  readonly rootCertPem: string
  readonly rootKeyPem: string
  readonly intermediateCertPem: string
  readonly intermediateKeyPem: string
}

export interface DevCaOptions {
  readonly now?: Date
  /** Default 3650 (about ten years). */
  readonly validityDays?: number
  /** Default P-256. */
  readonly keyType?: GeneratedKeyType
  readonly organization?: string
  readonly rootCommonName?: string
  readonly intermediateCommonName?: string
}

/**
 * A development CA: a self-signed root and an intermediate (pathlen 0) it signed, both with
 * basicConstraints CA critical and key usage keyCertSign + cRLSign + digitalSignature, valid from
 * five minutes ago for `validityDays`.
 */
export const generateDevCa = (options: DevCaOptions = {}): Effect.Effect<DevCa, PkiInternalError> =>
  Effect.gen(function* () {
    const now = truncateToSeconds(options.now ?? new Date())
    const notBefore = new Date(now.getTime() - 300_000)
    const notAfter = new Date(now.getTime() + (options.validityDays ?? 3650) * DAY_MS)
    const keyType = options.keyType ?? "P-256"
    const organization = options.organization ?? "Atom Development"
    const usages: ReadonlyArray<KeyUsage> = ["digitalSignature", "keyCertSign", "cRLSign"]
    const rootKey = yield* generateKey(keyType)
    const root = yield* createCaCertificate({
      subject: [
        { type: Oid.organizationName, value: organization },
        { type: Oid.commonName, value: options.rootCommonName ?? "Atom Development Root CA" },
      ],
      subjectKey: rootKey,
      notBefore,
      notAfter,
      basicConstraints: { ca: true },
      keyUsage: usages,
    })
    const intermediateKey = yield* generateKey(keyType)
    const intermediate = yield* createCaCertificate({
      subject: [
        { type: Oid.organizationName, value: organization },
        { type: Oid.commonName, value: options.intermediateCommonName ?? "Atom Development Intermediate CA" },
      ],
      subjectKey: intermediateKey,
      issuer: { certificateSubject: root.subjectName, keyIdentifier: root.keyIdentifier, signer: rootKey.signer },
      notBefore,
      notAfter,
      basicConstraints: { ca: true, pathLength: 0 },
      keyUsage: usages,
    })
    return {
      rootCertPem: root.pem,
      rootKeyPem: pemEncode(pemLabels.privateKey, rootKey.pkcs8),
      intermediateCertPem: intermediate.pem,
      intermediateKeyPem: pemEncode(pemLabels.privateKey, intermediateKey.pkcs8),
    }
  })

/** The file names the reference's tests use, mapped to their contents (for embedded mode). */
export const devCaFiles = (ca: DevCa): Readonly<Record<string, string>> => ({
  "root-ca.crt": ca.rootCertPem,
  "root-ca.key": ca.rootKeyPem,
  "intermediate-ca.crt": ca.intermediateCertPem,
  "intermediate-ca.key": ca.intermediateKeyPem,
})

/** The loader input for one mode over a development CA. */
export const devCaMaterial = (ca: DevCa, mode: CaMode): CaMaterialInput =>
  mode === "file_intermediate_issuer"
    ? {
        mode,
        rootCertPem: ca.rootCertPem,
        intermediateCertPem: ca.intermediateCertPem,
        intermediateKeyPem: ca.intermediateKeyPem,
      }
    : { mode, rootCertPem: ca.rootCertPem, rootKeyPem: ca.rootKeyPem }

/** One development CA and the loader inputs of both layouts over it (for tests). */
export const generateDevCaLayouts = (
  options: DevCaOptions = {},
): Effect.Effect<
  { readonly ca: DevCa; readonly intermediate: IntermediateCaMaterial; readonly root: RootCaMaterial },
  PkiInternalError
> =>
  Effect.map(generateDevCa(options), (ca) => ({
    ca,
    intermediate: {
      mode: "file_intermediate_issuer",
      rootCertPem: ca.rootCertPem,
      intermediateCertPem: ca.intermediateCertPem,
      intermediateKeyPem: ca.intermediateKeyPem,
    },
    root: { mode: "file_root_issuer", rootCertPem: ca.rootCertPem, rootKeyPem: ca.rootKeyPem },
  }))
