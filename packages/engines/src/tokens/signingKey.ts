import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto"
import { Data, Either } from "effect"
import { decodeBase64UrlStrict, utf8Encode } from "../secrets/encoding.js"
import {
  type KekError,
  type KeyEncryptionKey,
  openString,
  type SealedSecret,
  type StoredSealedSecret,
  sealString,
} from "../secrets/kek.js"
import { JWT_ALGORITHM } from "./jwt.js"
import { parseUuid } from "./uuid.js"

// JWT signing keys (identity-certs §2.4): P-256, kid = UUIDv4, public key stored as SPKI PEM,
// private key as PKCS#8 PEM sealed under the KEK with AAD = the kid's UTF-8 bytes. The JWKS
// entry is {kty:"EC", crv:"P-256", x, y, kid, use:"sig", alg:"ES256"}, x/y the unpadded
// base64url of the 32-byte affine coordinates (api.md §1.3).

export interface PublicJwk {
  readonly kty: "EC"
  readonly crv: "P-256"
  readonly x: string
  readonly y: string
  readonly kid: string
  readonly use: "sig"
  readonly alg: typeof JWT_ALGORITHM
}

export interface Jwks {
  readonly keys: ReadonlyArray<PublicJwk>
}

/** A key that verifies (primary or standby, public half). Satisfies `JwtVerifier`. */
export interface VerificationKey {
  readonly kid: string
  readonly publicKey: KeyObject
  readonly publicJwk: PublicJwk
}

/** A key that signs and verifies. Satisfies `JwtSigner` and `JwtVerifier`. */
export interface SigningKey extends VerificationKey {
  readonly privateKey: KeyObject
}

export class SigningKeyError extends Data.TaggedError("SigningKeyError")<{ readonly message: string }> {}

const COORDINATE_BYTES = 32

const isP256 = (key: KeyObject): boolean =>
  key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1"

/** The public JWK of a P-256 key, with the reference's member set and 32-byte coordinates. */
export const publicJwkOf = (kid: string, publicKey: KeyObject): PublicJwk => {
  const jwk = publicKey.export({ format: "jwk" })
  const x = jwk.x ?? ""
  const y = jwk.y ?? ""
  const xb = decodeBase64UrlStrict(x)
  const yb = decodeBase64UrlStrict(y)
  if (
    !isP256(publicKey) ||
    !xb.ok ||
    !yb.ok ||
    xb.bytes.length !== COORDINATE_BYTES ||
    yb.bytes.length !== COORDINATE_BYTES
  ) {
    throw new TypeError("not a P-256 public key")
  }
  return { kty: "EC", crv: "P-256", x, y, kid, use: "sig", alg: JWT_ALGORITHM }
}

const fromPrivate = (kid: string, privateKey: KeyObject): SigningKey => {
  const publicKey = createPublicKey(privateKey)
  return { kid, privateKey, publicKey, publicJwk: publicJwkOf(kid, publicKey) }
}

/** A fresh P-256 key under a new UUIDv4 kid. */
export const generateSigningKey = (): SigningKey => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" })
  return fromPrivate(randomUUID(), privateKey)
}

export const exportPrivateKeyPem = (key: SigningKey): string =>
  key.privateKey.export({ format: "pem", type: "pkcs8" }).toString()

export const exportPublicKeyPem = (key: VerificationKey): string =>
  key.publicKey.export({ format: "pem", type: "spki" }).toString()

const checkKid = (kid: string): Either.Either<string, SigningKeyError> =>
  parseUuid(kid) === null
    ? Either.left(new SigningKeyError({ message: `signing key id ${kid} is not a UUID` }))
    : Either.right(kid)

/** Loads a signing key from its PKCS#8 PEM (the plaintext column, or an opened ciphertext). */
export const importSigningKey = (kid: string, privateKeyPem: string): Either.Either<SigningKey, SigningKeyError> =>
  Either.flatMap(checkKid(kid), () => {
    try {
      const privateKey = createPrivateKey({ key: privateKeyPem, format: "pem" })
      if (!isP256(privateKey)) return Either.left(new SigningKeyError({ message: `signing key ${kid} is not P-256` }))
      return Either.right(fromPrivate(kid, privateKey))
    } catch {
      return Either.left(new SigningKeyError({ message: `signing key ${kid} is not a PKCS#8 PEM private key` }))
    }
  })

/** Loads a verification key from its SPKI PEM (the `public_key` column). */
export const importVerificationKey = (
  kid: string,
  publicKeyPem: string,
): Either.Either<VerificationKey, SigningKeyError> =>
  Either.flatMap(checkKid(kid), () => {
    try {
      const publicKey = createPublicKey({ key: publicKeyPem, format: "pem" })
      if (!isP256(publicKey)) return Either.left(new SigningKeyError({ message: `signing key ${kid} is not P-256` }))
      return Either.right({ kid, publicKey, publicJwk: publicJwkOf(kid, publicKey) })
    } catch {
      return Either.left(new SigningKeyError({ message: `signing key ${kid} is not an SPKI PEM public key` }))
    }
  })

/** `GET /.well-known/jwks.json`: the primary first, then the standby if any. */
export const jwks = (primary: VerificationKey, standby?: VerificationKey | null): Jwks => ({
  keys: standby ? [primary.publicJwk, standby.publicJwk] : [primary.publicJwk],
})

const kidAad = (kid: string): Uint8Array => utf8Encode(kid)

/** Seals the private key's PKCS#8 PEM under the KEK, bound to the kid. */
export const sealSigningKey = (kek: KeyEncryptionKey, key: SigningKey): SealedSecret =>
  sealString(kek, kidAad(key.kid), exportPrivateKeyPem(key))

/** Opens a sealed private key for `kid` and loads it. A sealed key moved to another kid fails. */
export const openSigningKey = (
  kek: KeyEncryptionKey,
  kid: string,
  sealed: StoredSealedSecret,
): Either.Either<SigningKey, KekError | SigningKeyError> =>
  Either.flatMap(openString(kek, kidAad(kid), sealed), (pem) => importSigningKey(kid, pem))
