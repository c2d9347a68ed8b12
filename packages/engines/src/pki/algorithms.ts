// Keys, signing and verification over WebCrypto, with the X.509 algorithm identifiers that go with them.

import {
  type Bytes,
  concatBytes,
  DerDecodeError,
  DerReader,
  decodeObjectIdentifier,
  decodeSmallInteger,
  derNull,
  integerContent,
  objectIdentifier,
  readSingle,
  sequence,
  Tag,
  unsignedInteger,
} from "./der.js"
import { Oid } from "./oids.js"
import {
  type AlgorithmIdentifier,
  parseAlgorithmIdentifier,
  parseSubjectPublicKeyInfo,
  type SubjectPublicKeyInfo,
} from "./x509.js"

export type EcCurve = "P-256" | "P-384" | "P-521"

export type KeyAlgorithm =
  | { readonly kind: "ec"; readonly curve: EcCurve }
  | { readonly kind: "rsa" }
  | { readonly kind: "ed25519" }

export type SignatureAlgorithmName =
  | "ecdsa-with-SHA256"
  | "ecdsa-with-SHA384"
  | "ecdsa-with-SHA512"
  | "sha256WithRSAEncryption"
  | "Ed25519"

export interface SignatureScheme {
  readonly name: SignatureAlgorithmName
  readonly oid: string
  /** The AlgorithmIdentifier DER that labels signatures made with this scheme. */
  readonly algorithmIdentifier: Bytes
  readonly webCrypto: Algorithm | EcdsaParams
  /** For ECDSA: the byte length of r and s (WebCrypto returns r‖s; X.509 wants DER). */
  readonly ecdsaComponentLength: number | undefined
}

/** A private key and the scheme its signatures are labelled with. */
export interface Signer {
  readonly key: CryptoKey
  readonly scheme: SignatureScheme
}

const curveOfOid = (oid: string): EcCurve | undefined =>
  oid === Oid.prime256v1 ? "P-256" : oid === Oid.secp384r1 ? "P-384" : oid === Oid.secp521r1 ? "P-521" : undefined

const COMPONENT_LENGTH: Readonly<Record<EcCurve, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 }

/**
 * The scheme an issuer key signs with, as the reference (rcgen) picks it: ECDSA with the curve's
 * hash (P-256 → SHA-256, P-384 → SHA-384, P-521 → SHA-512), RSA PKCS#1 v1.5 with SHA-256, Ed25519.
 */
export const signatureSchemeFor = (algorithm: KeyAlgorithm): SignatureScheme => {
  switch (algorithm.kind) {
    case "ec": {
      const [name, oid, hash] =
        algorithm.curve === "P-256"
          ? (["ecdsa-with-SHA256", Oid.ecdsaWithSHA256, "SHA-256"] as const)
          : algorithm.curve === "P-384"
            ? (["ecdsa-with-SHA384", Oid.ecdsaWithSHA384, "SHA-384"] as const)
            : (["ecdsa-with-SHA512", Oid.ecdsaWithSHA512, "SHA-512"] as const)
      return {
        name,
        oid,
        algorithmIdentifier: sequence(objectIdentifier(oid)),
        webCrypto: { name: "ECDSA", hash },
        ecdsaComponentLength: COMPONENT_LENGTH[algorithm.curve],
      }
    }
    case "rsa":
      return {
        name: "sha256WithRSAEncryption",
        oid: Oid.sha256WithRSAEncryption,
        algorithmIdentifier: sequence(objectIdentifier(Oid.sha256WithRSAEncryption), derNull),
        webCrypto: { name: "RSASSA-PKCS1-v1_5" },
        ecdsaComponentLength: undefined,
      }
    case "ed25519":
      return {
        name: "Ed25519",
        oid: Oid.ed25519,
        algorithmIdentifier: sequence(objectIdentifier(Oid.ed25519)),
        webCrypto: { name: "Ed25519" },
        ecdsaComponentLength: undefined,
      }
  }
}

const importParamsFor = (
  algorithm: KeyAlgorithm,
  hash = "SHA-256",
): Algorithm | EcKeyImportParams | RsaHashedImportParams =>
  algorithm.kind === "ec"
    ? { name: "ECDSA", namedCurve: algorithm.curve }
    : algorithm.kind === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", hash }
      : { name: "Ed25519" }

/** The key algorithm named by an AlgorithmIdentifier of a SubjectPublicKeyInfo or PrivateKeyInfo. */
export const keyAlgorithmOf = (algorithm: AlgorithmIdentifier): KeyAlgorithm | undefined => {
  if (algorithm.oid === Oid.rsaEncryption) return { kind: "rsa" }
  if (algorithm.oid === Oid.ed25519) return { kind: "ed25519" }
  if (algorithm.oid === Oid.ecPublicKey && algorithm.parameters !== undefined) {
    try {
      const curve = curveOfOid(decodeObjectIdentifier(readSingle(algorithm.parameters, Tag.oid, "namedCurve")))
      return curve === undefined ? undefined : { kind: "ec", curve }
    } catch {
      return undefined
    }
  }
  return undefined
}

/**
 * Imports a PKCS#8 private key as a non-extractable signing key. Throws with a reason when the
 * DER is not PKCS#8 or the algorithm is not EC P-256/P-384/P-521, RSA or Ed25519.
 */
export const importPkcs8SigningKey = async (pkcs8: Bytes): Promise<Signer & { readonly algorithm: KeyAlgorithm }> => {
  const reader = DerReader.of(readSingle(pkcs8, Tag.sequence, "PrivateKeyInfo"))
  const version = decodeSmallInteger(reader.expect(Tag.integer, "version"), "version")
  if (version > 1) throw new DerDecodeError(`unsupported PKCS#8 version ${version}`)
  const algorithmId = parseAlgorithmIdentifier(reader.next("privateKeyAlgorithm"), "privateKeyAlgorithm")
  const algorithm = keyAlgorithmOf(algorithmId)
  if (algorithm === undefined) throw new DerDecodeError(`unsupported key algorithm ${algorithmId.oid}`)
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, importParamsFor(algorithm), false, ["sign"])
  return { key, algorithm, scheme: signatureSchemeFor(algorithm) }
}

/** ECDSA r‖s → `SEQUENCE { INTEGER r, INTEGER s }`. */
export const ecdsaRawToDer = (raw: Uint8Array): Bytes => {
  const half = raw.length / 2
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)))
}

/** `SEQUENCE { INTEGER r, INTEGER s }` → r‖s of the curve's width; undefined when malformed. */
export const ecdsaDerToRaw = (der: Bytes, componentLength: number): Bytes | undefined => {
  try {
    const reader = DerReader.of(readSingle(der, Tag.sequence, "ECDSA-Sig-Value"))
    const parts = [integerContent(reader.next("r"), "r"), integerContent(reader.next("s"), "s")]
    reader.finish("ECDSA-Sig-Value")
    const padded = parts.map((part) => {
      let start = 0
      while (start < part.length && part[start] === 0) start++
      const body = part.subarray(start)
      if (body.length > componentLength || ((part[0] ?? 0) & 0x80) !== 0) throw new DerDecodeError("bad ECDSA value")
      const out = new Uint8Array(componentLength)
      out.set(body, componentLength - body.length)
      return out
    })
    return concatBytes(padded)
  } catch {
    return undefined
  }
}

/** Signs and returns the signature as X.509 carries it (DER for ECDSA). */
export const signBytes = async (signer: Signer, data: Bytes): Promise<Bytes> => {
  const raw = new Uint8Array(await crypto.subtle.sign(signer.scheme.webCrypto, signer.key, data))
  return signer.scheme.ecdsaComponentLength === undefined ? raw : ecdsaRawToDer(raw)
}

type VerifyScheme =
  | { readonly family: "ecdsa"; readonly hash: string }
  | { readonly family: "rsa"; readonly hash: string }
  | { readonly family: "ed25519" }

const VERIFY_SCHEMES: Readonly<Record<string, VerifyScheme>> = {
  [Oid.ecdsaWithSHA256]: { family: "ecdsa", hash: "SHA-256" },
  [Oid.ecdsaWithSHA384]: { family: "ecdsa", hash: "SHA-384" },
  [Oid.ecdsaWithSHA512]: { family: "ecdsa", hash: "SHA-512" },
  [Oid.sha256WithRSAEncryption]: { family: "rsa", hash: "SHA-256" },
  [Oid.sha384WithRSAEncryption]: { family: "rsa", hash: "SHA-384" },
  [Oid.sha512WithRSAEncryption]: { family: "rsa", hash: "SHA-512" },
  [Oid.ed25519]: { family: "ed25519" },
}

/**
 * Whether `signature` (as X.509 carries it) over `data` verifies under the public key, for the
 * schemes above. Unsupported algorithms, mismatched key types and malformed values give false.
 */
export const verifySignature = async (input: {
  readonly publicKey: SubjectPublicKeyInfo
  readonly signatureAlgorithm: AlgorithmIdentifier
  readonly signature: Bytes
  readonly data: Bytes
}): Promise<boolean> => {
  const scheme = VERIFY_SCHEMES[input.signatureAlgorithm.oid]
  const keyAlgorithm = keyAlgorithmOf(input.publicKey.algorithm)
  if (scheme === undefined || keyAlgorithm === undefined) return false
  try {
    switch (scheme.family) {
      case "ecdsa": {
        if (keyAlgorithm.kind !== "ec") return false
        const raw = ecdsaDerToRaw(input.signature, COMPONENT_LENGTH[keyAlgorithm.curve])
        if (raw === undefined) return false
        const key = await crypto.subtle.importKey("spki", input.publicKey.der, importParamsFor(keyAlgorithm), false, [
          "verify",
        ])
        return await crypto.subtle.verify({ name: "ECDSA", hash: scheme.hash }, key, raw, input.data)
      }
      case "rsa": {
        if (keyAlgorithm.kind !== "rsa") return false
        const key = await crypto.subtle.importKey(
          "spki",
          input.publicKey.der,
          importParamsFor(keyAlgorithm, scheme.hash),
          false,
          ["verify"],
        )
        return await crypto.subtle.verify({ name: "RSASSA-PKCS1-v1_5" }, key, input.signature, input.data)
      }
      case "ed25519": {
        if (keyAlgorithm.kind !== "ed25519") return false
        const key = await crypto.subtle.importKey("spki", input.publicKey.der, { name: "Ed25519" }, false, ["verify"])
        return await crypto.subtle.verify({ name: "Ed25519" }, key, input.signature, input.data)
      }
    }
  } catch {
    return false
  }
}

/** Key types the development CA and tests can generate. */
export type GeneratedKeyType = "P-256" | "P-384" | "RSA-2048" | "RSA-3072"

export interface GeneratedKeyPair {
  readonly signer: Signer
  readonly algorithm: KeyAlgorithm
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Bytes
  /** Its subjectPublicKey bits (what key identifiers hash). */
  readonly publicKey: Bytes
  /** PKCS#8 DER of the private key. */
  readonly pkcs8: Bytes
}

/** A fresh key pair, generated extractable so that the private key can be exported once as PKCS#8. */
export const generateKeyPair = async (type: GeneratedKeyType): Promise<GeneratedKeyPair> => {
  const algorithm: KeyAlgorithm = type.startsWith("RSA")
    ? { kind: "rsa" }
    : { kind: "ec", curve: type === "P-384" ? "P-384" : "P-256" }
  const params: EcKeyGenParams | RsaHashedKeyGenParams =
    algorithm.kind === "ec"
      ? { name: "ECDSA", namedCurve: algorithm.curve }
      : {
          name: "RSASSA-PKCS1-v1_5",
          hash: "SHA-256",
          modulusLength: type === "RSA-3072" ? 3072 : 2048,
          publicExponent: Uint8Array.of(1, 0, 1),
        }
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"])
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey))
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey))
  const { publicKey } = parseSubjectPublicKeyInfo(readSingle(spki, Tag.sequence, "SubjectPublicKeyInfo"))
  return { signer: { key: pair.privateKey, scheme: signatureSchemeFor(algorithm) }, algorithm, spki, publicKey, pkcs8 }
}
