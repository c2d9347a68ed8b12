import { constants, createPublicKey, type KeyObject, verify } from "node:crypto"
import { Either } from "effect"
import { constantTimeEqualString } from "../secrets/constantTime.js"

// ID-token verification (OpenID Connect Core §3.1.3.7) over a provider's JWKS: a signed JWT (never
// `none`, never an HMAC), the key chosen by `kid`, then `iss`, `aud` (and `azp` when there are several
// audiences), `exp` with leeway, `iat` and the `nonce` sent with the authorization request.

/** A public key as a JWKS lists it; only the members used here are named. */
export interface Jwk {
  readonly kty?: unknown
  readonly kid?: unknown
  readonly use?: unknown
  readonly alg?: unknown
  readonly crv?: unknown
  readonly [member: string]: unknown
}

export interface IdTokenExpectations {
  readonly issuer: string
  readonly clientId: string
  readonly nonce: string
  readonly nowSecs: number
  readonly leewaySecs?: number
}

export interface IdTokenClaims {
  readonly subject: string
  readonly email: string | null
  readonly emailVerified: boolean
  readonly name: string | null
}

/** Why a token was refused; `unknown_key` tells the caller a fresh JWKS may help. */
export interface IdTokenRejection {
  readonly reason: "malformed" | "algorithm" | "unknown_key" | "signature" | "claims"
  readonly message: string
}

const SIGNING = {
  RS256: { kty: "RSA", hash: "sha256", pss: false },
  RS384: { kty: "RSA", hash: "sha384", pss: false },
  RS512: { kty: "RSA", hash: "sha512", pss: false },
  PS256: { kty: "RSA", hash: "sha256", pss: true },
  PS384: { kty: "RSA", hash: "sha384", pss: true },
  PS512: { kty: "RSA", hash: "sha512", pss: true },
  ES256: { kty: "EC", hash: "sha256", crv: "P-256" },
  ES384: { kty: "EC", hash: "sha384", crv: "P-384" },
  ES512: { kty: "EC", hash: "sha512", crv: "P-521" },
} as const

type SigningAlgorithm = keyof typeof SIGNING

const isAlgorithm = (alg: unknown): alg is SigningAlgorithm => typeof alg === "string" && Object.hasOwn(SIGNING, alg)

const reject = (reason: IdTokenRejection["reason"], detail: string) =>
  Either.left<IdTokenRejection>({ reason, message: `invalid id_token: ${detail}` })

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const B64URL = /^[A-Za-z0-9_-]*$/

const jsonSegment = (segment: string): Record<string, unknown> | undefined => {
  if (!B64URL.test(segment)) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)

/** Only the public members, so a JWKS that (wrongly) carries private parts cannot change the key type. */
const publicKeyOf = (jwk: Jwk): KeyObject | undefined => {
  const [n, e, crv, x, y] = [str(jwk.n), str(jwk.e), str(jwk.crv), str(jwk.x), str(jwk.y)]
  const members =
    jwk.kty === "RSA" && n !== undefined && e !== undefined
      ? { kty: "RSA", n, e }
      : jwk.kty === "EC" && crv !== undefined && x !== undefined && y !== undefined
        ? { kty: "EC", crv, x, y }
        : undefined
  if (members === undefined) return undefined
  try {
    return createPublicKey({ key: members, format: "jwk" })
  } catch {
    return undefined
  }
}

const fits = (jwk: Jwk, alg: SigningAlgorithm): boolean => {
  const spec = SIGNING[alg]
  if (jwk.kty !== spec.kty) return false
  if ("crv" in spec && jwk.crv !== spec.crv) return false
  if (jwk.use !== undefined && jwk.use !== "sig") return false
  return jwk.alg === undefined || jwk.alg === alg
}

const selectKey = (keys: ReadonlyArray<Jwk>, alg: SigningAlgorithm, kid: unknown): Jwk | undefined => {
  const usable = keys.filter((k) => fits(k, alg))
  if (typeof kid === "string") return usable.find((k) => k.kid === kid)
  // no kid: acceptable only when the choice is unambiguous
  return usable.length === 1 ? usable[0] : undefined
}

const signatureValid = (alg: SigningAlgorithm, key: KeyObject, data: string, signature: Buffer): boolean => {
  const spec = SIGNING[alg]
  try {
    if (spec.kty === "EC") return verify(spec.hash, Buffer.from(data), { key, dsaEncoding: "ieee-p1363" }, signature)
    if (spec.pss) {
      return verify(
        spec.hash,
        Buffer.from(data),
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      )
    }
    return verify(spec.hash, Buffer.from(data), key, signature)
  } catch {
    return false
  }
}

const audienceOk = (claims: Record<string, unknown>, clientId: string): boolean => {
  const aud = claims.aud
  if (typeof aud === "string") return aud === clientId
  if (!Array.isArray(aud) || !aud.every((a) => typeof a === "string") || !aud.includes(clientId)) return false
  // several audiences: the authorized party must be this client
  return aud.length === 1 || claims.azp === clientId
}

/** Some providers send `email_verified` as the string "true". */
const verifiedFlag = (v: unknown): boolean => v === true || v === "true"

export const verifyIdToken = (
  token: string,
  keys: ReadonlyArray<Jwk>,
  expect: IdTokenExpectations,
): Either.Either<IdTokenClaims, IdTokenRejection> => {
  const parts = token.split(".")
  if (parts.length !== 3) return reject("malformed", "malformed token")
  const [h = "", p = "", s = ""] = parts
  const header = jsonSegment(h)
  const claims = jsonSegment(p)
  if (header === undefined || claims === undefined || !B64URL.test(s)) return reject("malformed", "malformed token")
  if (!isAlgorithm(header.alg)) return reject("algorithm", `unsupported signing algorithm ${String(header.alg)}`)
  const jwk = selectKey(keys, header.alg, header.kid)
  if (jwk === undefined) return reject("unknown_key", "no provider key matches the token")
  const key = publicKeyOf(jwk)
  if (key === undefined) return reject("unknown_key", "the provider key is unusable")
  if (!signatureValid(header.alg, key, `${h}.${p}`, Buffer.from(s, "base64url"))) {
    return reject("signature", "signature verification failed")
  }

  const leeway = expect.leewaySecs ?? 60
  if (claims.iss !== expect.issuer) return reject("claims", "issuer mismatch")
  if (!audienceOk(claims, expect.clientId)) return reject("claims", "audience mismatch")
  if (typeof claims.exp !== "number" || claims.exp + leeway <= expect.nowSecs) return reject("claims", "token expired")
  if (typeof claims.iat !== "number" || claims.iat - leeway > expect.nowSecs) {
    return reject("claims", "invalid issued-at time")
  }
  if (typeof claims.nonce !== "string" || !constantTimeEqualString(claims.nonce, expect.nonce)) {
    return reject("claims", "nonce mismatch")
  }
  if (typeof claims.sub !== "string" || claims.sub === "") return reject("claims", "missing subject")
  return Either.right({
    subject: claims.sub,
    email: typeof claims.email === "string" ? claims.email : null,
    emailVerified: verifiedFlag(claims.email_verified),
    name: typeof claims.name === "string" ? claims.name : null,
  })
}
