import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto"
import { Unauthenticated } from "@atom/domain/errors"
import { Either } from "effect"
import { base64ErrorMessage, decodeBase64UrlStrict, encodeBase64Url, utf8Encode } from "../secrets/encoding.js"
import { AuthMessages, invalidTokenMessage } from "./messages.js"
import { type FieldSpec, fromSlice, type Reader } from "./serdeJson.js"
import { parseUuid } from "./uuid.js"

// Session JWTs (identity-certs §2.3, api.md §6.2): ES256 over P-256, header
// {"typ":"JWT","alg":"ES256","kid":<signing key uuid>}, claims
// {"iss","aud","sub","sid","tid"(uuid|null),"exp","iat"} — the reference's field order, so the
// bytes match its tokens. The token carries no permissions and no `jti`: `sid` names the
// session row, which is what revocation acts on.
//
// Verification follows the reference step for step, including which failure wins when several
// apply, and words each failure as it does:
//   1. split and decode the header (`invalid token: InvalidToken` / `… Base64 error: …` /
//      `… JSON error: …` — an unknown `alg` such as `none` is a JSON error, as in the reference)
//   2. `token missing kid claim`, then `token signed with unknown or retired key`
//   3. `alg` must be ES256, checked before any signature work (`invalid token: InvalidAlgorithm`):
//      an HS256 token "signed" with the public key never reaches a MAC computation
//   4. the ECDSA signature, JOSE form r‖s (64 bytes) (`invalid token: InvalidSignature`)
//   5. the claims: shape (`invalid token: JSON error: missing field \`sid\` …`), then
//      `exp` with 60 s leeway (`ExpiredSignature`), `iss` (`InvalidIssuer`), `aud` (`InvalidAudience`).

export const JWT_ALGORITHM = "ES256" as const
export const DEFAULT_JWT_EXPIRY_SECS = 3600
export const JWT_LEEWAY_SECS = 60
export const DEFAULT_JWT_AUDIENCE = "magistrala"

export interface SessionClaims {
  readonly iss: string
  readonly aud: string
  /** entity id */
  readonly sub: string
  /** session id */
  readonly sid: string
  /** tenant id; null for a global entity */
  readonly tid: string | null
  /** seconds since the epoch */
  readonly exp: number
  /** seconds since the epoch */
  readonly iat: number
}

export interface JwtHeader {
  readonly alg: JwtAlgorithmName
  readonly typ: string | null
  readonly kid: string | null
}

/** What signs: a signing key's id and its P-256 private key. */
export interface JwtSigner {
  readonly kid: string
  readonly privateKey: KeyObject
}

/** What verifies: a signing key's id and its P-256 public key. */
export interface JwtVerifier {
  readonly kid: string
  readonly publicKey: KeyObject
}

export interface JwtVerifyOptions {
  /** The primary and standby keys, or a lookup by kid. */
  readonly keys: ReadonlyArray<JwtVerifier> | ((kid: string) => JwtVerifier | undefined)
  readonly issuer: string
  readonly audience: string
  /** Seconds since the epoch; defaults to the wall clock. */
  readonly now?: number
  readonly leewaySecs?: number
}

const unauthenticated = (message: string) => Either.left(new Unauthenticated({ message }))
const invalidToken = (detail: string) => unauthenticated(invalidTokenMessage(detail))

// ─── Signing ─────────────────────────────────────────────────────────────────────────────────

const encodeJson = (value: unknown): string => encodeBase64Url(utf8Encode(JSON.stringify(value)))

/** Signs claims as an ES256 JWT under `key` (header typ, alg, kid in the reference's order). */
export const signJwt = (claims: SessionClaims, key: JwtSigner): string => {
  const header = encodeJson({ typ: "JWT", alg: JWT_ALGORITHM, kid: key.kid })
  const payload = encodeJson({
    iss: claims.iss,
    aud: claims.aud,
    sub: claims.sub,
    sid: claims.sid,
    tid: claims.tid,
    exp: claims.exp,
    iat: claims.iat,
  })
  const message = `${header}.${payload}`
  const signature = cryptoSign("sha256", utf8Encode(message), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
  return `${message}.${encodeBase64Url(signature)}`
}

export interface SessionTokenInput {
  readonly entityId: string
  readonly sessionId: string
  readonly tenantId: string | null
  readonly issuer: string
  readonly audience: string
  readonly expirySecs: number
  /** Seconds since the epoch; defaults to the wall clock. */
  readonly now?: number
}

/** The login/refresh token: `iat = now`, `exp = now + expirySecs`. */
export const issueSessionToken = (
  input: SessionTokenInput,
  key: JwtSigner,
): { readonly token: string; readonly claims: SessionClaims } => {
  const iat = Math.floor(input.now ?? Date.now() / 1000)
  const claims: SessionClaims = {
    iss: input.issuer,
    aud: input.audience,
    sub: input.entityId,
    sid: input.sessionId,
    tid: input.tenantId,
    iat,
    exp: iat + input.expirySecs,
  }
  return { token: signJwt(claims, key), claims }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

const ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
  "ES256",
  "ES384",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "EdDSA",
] as const
export type JwtAlgorithmName = (typeof ALGORITHMS)[number]

type HeaderValue = string | ReadonlyArray<string>

const optionalString = (name: string): FieldSpec<HeaderValue> => ({
  name,
  optional: true,
  decode: (r: Reader) => r.string(),
})

// The reference's header struct, in declaration order.
const HEADER_FIELDS: ReadonlyArray<FieldSpec<HeaderValue>> = [
  optionalString("typ"),
  { name: "alg", optional: false, decode: (r: Reader) => r.unitEnum(ALGORITHMS) },
  optionalString("cty"),
  optionalString("jku"),
  { name: "jwk", optional: true, decode: (r: Reader) => r.opaqueStruct("Jwk") ?? "" },
  optionalString("kid"),
  optionalString("x5u"),
  { name: "x5c", optional: true, decode: (r: Reader) => r.stringSeq() },
  optionalString("x5t"),
  optionalString("x5t#S256"),
]

type ClaimValue = string | bigint

const CLAIM_FIELDS: ReadonlyArray<FieldSpec<ClaimValue>> = [
  { name: "iss", optional: false, decode: (r: Reader) => r.string() },
  { name: "aud", optional: false, decode: (r: Reader) => r.string() },
  { name: "sub", optional: false, decode: (r: Reader) => r.string() },
  { name: "sid", optional: false, decode: (r: Reader) => r.string() },
  { name: "tid", optional: true, decode: (r: Reader) => r.string() },
  { name: "exp", optional: false, decode: (r: Reader) => r.u64("usize") },
  { name: "iat", optional: false, decode: (r: Reader) => r.u64("usize") },
]

const isAlgorithm = (s: string): s is JwtAlgorithmName => ALGORITHMS.some((a) => a === s)

const stringField = <V>(values: Map<string, V | null>, name: string): string | null => {
  const v = values.get(name)
  return typeof v === "string" ? v : null
}

const numberField = <V>(values: Map<string, V | null>, name: string): number => {
  const v = values.get(name)
  return typeof v === "bigint" ? Number(v) : Number.NaN
}

interface Segments {
  readonly header: string
  readonly payload: string
  readonly signature: string
  readonly message: string
}

// `rsplitn(2, '.')` twice: the last two dots split off signature and payload; everything
// before them (dots included) is the header, which then fails base64 on its first dot.
const split = (token: string): Segments | null => {
  const last = token.lastIndexOf(".")
  if (last < 0) return null
  const message = token.slice(0, last)
  const second = message.lastIndexOf(".")
  if (second < 0) return null
  return {
    header: message.slice(0, second),
    payload: message.slice(second + 1),
    signature: token.slice(last + 1),
    message,
  }
}

const decodeHeaderSegment = (segment: string): Either.Either<JwtHeader, Unauthenticated> => {
  const raw = decodeBase64UrlStrict(segment)
  if (!raw.ok) return invalidToken(`Base64 error: ${base64ErrorMessage(raw.error)}`)
  const parsed = fromSlice(raw.bytes, "Header", HEADER_FIELDS)
  if (!parsed.ok) return invalidToken(`JSON error: ${parsed.error}`)
  const alg = stringField(parsed.value, "alg")
  if (alg === null || !isAlgorithm(alg)) return invalidToken("InvalidToken")
  return Either.right({ alg, typ: stringField(parsed.value, "typ"), kid: stringField(parsed.value, "kid") })
}

/** Decodes the header without verifying anything (the reference's `decode_header`). */
export const decodeJwtHeader = (token: string): Either.Either<JwtHeader, Unauthenticated> => {
  const segments = split(token)
  return segments === null ? invalidToken("InvalidToken") : decodeHeaderSegment(segments.header)
}

const P1363_SIGNATURE_BYTES = 64

const verifySignature = (message: string, signature: Uint8Array, key: KeyObject): boolean => {
  if (signature.length !== P1363_SIGNATURE_BYTES) return false
  try {
    return cryptoVerify("sha256", utf8Encode(message), { key, dsaEncoding: "ieee-p1363" }, signature)
  } catch {
    return false
  }
}

const findKey = (keys: JwtVerifyOptions["keys"], kid: string): JwtVerifier | undefined =>
  typeof keys === "function" ? keys(kid) : keys.find((k) => k.kid === kid)

/**
 * Verifies a session JWT's signature and registered claims. The session, entity and tenant
 * checks that follow (§2.3 steps 3–7) need the database and belong to the caller.
 */
export const verifyJwt = (token: string, options: JwtVerifyOptions): Either.Either<SessionClaims, Unauthenticated> => {
  const segments = split(token)
  if (segments === null) return invalidToken("InvalidToken")
  const header = decodeHeaderSegment(segments.header)
  if (Either.isLeft(header)) return Either.left(header.left)
  const { kid, alg } = header.right
  if (kid === null) return unauthenticated(AuthMessages.tokenMissingKid)
  const key = findKey(options.keys, kid)
  if (key === undefined) return unauthenticated(AuthMessages.unknownOrRetiredKey)

  if (alg !== JWT_ALGORITHM) return invalidToken("InvalidAlgorithm")
  const signature = decodeBase64UrlStrict(segments.signature)
  if (!signature.ok) return invalidToken(`Base64 error: ${base64ErrorMessage(signature.error)}`)
  if (!verifySignature(segments.message, signature.bytes, key.publicKey)) return invalidToken("InvalidSignature")

  const payload = decodeBase64UrlStrict(segments.payload)
  if (!payload.ok) return invalidToken(`Base64 error: ${base64ErrorMessage(payload.error)}`)
  const parsed = fromSlice(payload.bytes, "Claims", CLAIM_FIELDS)
  if (!parsed.ok) return invalidToken(`JSON error: ${parsed.error}`)
  const values = parsed.value
  const claims: SessionClaims = {
    iss: stringField(values, "iss") ?? "",
    aud: stringField(values, "aud") ?? "",
    sub: stringField(values, "sub") ?? "",
    sid: stringField(values, "sid") ?? "",
    tid: stringField(values, "tid"),
    exp: numberField(values, "exp"),
    iat: numberField(values, "iat"),
  }
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const leeway = options.leewaySecs ?? JWT_LEEWAY_SECS
  if (claims.exp < now - leeway) return invalidToken("ExpiredSignature")
  if (claims.iss !== options.issuer) return invalidToken("InvalidIssuer")
  if (claims.aud !== options.audience) return invalidToken("InvalidAudience")
  return Either.right(claims)
}

export interface SessionIdentity {
  readonly entityId: string
  readonly sessionId: string
  readonly tenantId: string | null
}

/** The ids a verified token names, parsed as UUIDs (canonical lowercase), with §6.4's texts. */
export const sessionIdentity = (claims: SessionClaims): Either.Either<SessionIdentity, Unauthenticated> => {
  const entityId = parseUuid(claims.sub)
  if (entityId === null) return unauthenticated(AuthMessages.invalidEntityIdInToken)
  const sessionId = parseUuid(claims.sid)
  if (sessionId === null) return unauthenticated(AuthMessages.invalidSessionIdInToken)
  let tenantId: string | null = null
  if (claims.tid !== null) {
    tenantId = parseUuid(claims.tid)
    if (tenantId === null) return unauthenticated(AuthMessages.invalidTenantIdInToken)
  }
  return Either.right({ entityId, sessionId, tenantId })
}
