import { constants, createHash, createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  type Jwk,
  newPkcePair,
  normalizeReturnTo,
  pkceChallenge,
  verifyIdToken,
  withQuery,
} from "../../src/oidc/index.js"

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
const ec384 = generateKeyPairSync("ec", { namedCurve: "P-384" })

const jwk = (key: KeyObject, extra: Record<string, unknown>): Jwk => ({ ...key.export({ format: "jwk" }), ...extra })
const KEYS: ReadonlyArray<Jwk> = [
  jwk(rsa.publicKey, { kid: "r1", use: "sig" }),
  jwk(ec.publicKey, { kid: "e1", alg: "ES256" }),
  jwk(ec384.publicKey, { kid: "e384" }),
]

const NOW = 1_800_000_000
const EXPECT = { issuer: "https://idp.test", clientId: "client-1", nonce: "n-0123456789", nowSecs: NOW }
const CLAIMS = {
  iss: "https://idp.test",
  aud: "client-1",
  sub: "user-42",
  iat: NOW - 10,
  exp: NOW + 300,
  nonce: "n-0123456789",
  email: "a@b.test",
  email_verified: true,
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url")

const token = (
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  signer: (data: Buffer) => Buffer,
): string => {
  const data = `${b64(header)}.${b64(claims)}`
  return `${data}.${signer(Buffer.from(data)).toString("base64url")}`
}
const rs256 =
  (key = rsa.privateKey) =>
  (d: Buffer) =>
    sign("sha256", d, key)
const ps256 = (d: Buffer) =>
  sign("sha256", d, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
const es = (hash: string, key: KeyObject) => (d: Buffer) => sign(hash, d, { key, dsaEncoding: "ieee-p1363" })

const reason = (t: string, keys: ReadonlyArray<Jwk> = KEYS, expect = EXPECT) => {
  const r = verifyIdToken(t, keys, expect)
  return Either.isLeft(r) ? r.left.message : "ok"
}

describe("verifyIdToken", () => {
  it("accepts RS256, PS256, ES256 and ES384 tokens signed by the named key, and reads the claims", () => {
    for (const t of [
      token({ alg: "RS256", kid: "r1" }, CLAIMS, rs256()),
      token({ alg: "PS256", kid: "r1" }, CLAIMS, ps256),
      token({ alg: "ES256", kid: "e1" }, CLAIMS, es("sha256", ec.privateKey)),
      token({ alg: "ES384", kid: "e384" }, CLAIMS, es("sha384", ec384.privateKey)),
    ]) {
      expect(verifyIdToken(t, KEYS, EXPECT)).toEqual(
        Either.right({ subject: "user-42", email: "a@b.test", emailVerified: true, name: null }),
      )
    }
  })

  it("takes the only fitting key when the token names none, and refuses when the choice is ambiguous", () => {
    const t = token({ alg: "ES256" }, CLAIMS, es("sha256", ec.privateKey))
    expect(reason(t)).toBe("ok")
    const two = [...KEYS, jwk(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, { kid: "e2" })]
    expect(reason(t, two)).toBe("invalid id_token: no provider key matches the token")
  })

  it("refuses none, HMAC (even keyed with public key material) and unknown algorithms before any key work", () => {
    expect(reason(`${b64({ alg: "none" })}.${b64(CLAIMS)}.`)).toBe(
      "invalid id_token: unsupported signing algorithm none",
    )
    const n = String(KEYS[0]?.n)
    const hs = token({ alg: "HS256", kid: "r1" }, CLAIMS, (d) => createHmac("sha256", n).update(d).digest())
    expect(reason(hs)).toBe("invalid id_token: unsupported signing algorithm HS256")
  })

  it("refuses a key of the wrong type or pinned to another algorithm", () => {
    // an ES256 token naming the RSA key
    expect(reason(token({ alg: "ES256", kid: "r1" }, CLAIMS, es("sha256", ec.privateKey)))).toBe(
      "invalid id_token: no provider key matches the token",
    )
    // e1 is pinned to ES256
    expect(reason(token({ alg: "ES384", kid: "e1" }, CLAIMS, es("sha384", ec384.privateKey)))).toBe(
      "invalid id_token: no provider key matches the token",
    )
    const encryptionKey = [jwk(rsa.publicKey, { kid: "r1", use: "enc" })]
    const t = token({ alg: "RS256", kid: "r1" }, CLAIMS, rs256())
    expect(verifyIdToken(t, encryptionKey, EXPECT)).toMatchObject(Either.left({ reason: "unknown_key" }))
  })

  it("refuses a forged or altered signature", () => {
    const forged = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
    expect(reason(token({ alg: "RS256", kid: "r1" }, CLAIMS, rs256(forged)))).toBe(
      "invalid id_token: signature verification failed",
    )
    const good = token({ alg: "RS256", kid: "r1" }, CLAIMS, rs256())
    const [h, , s] = good.split(".")
    expect(reason(`${h}.${b64({ ...CLAIMS, sub: "admin" })}.${s}`)).toBe(
      "invalid id_token: signature verification failed",
    )
  })

  it("checks issuer, audience (azp with several), expiry with leeway, issued-at, nonce and subject", () => {
    const make = (claims: Record<string, unknown>) => token({ alg: "RS256", kid: "r1" }, claims, rs256())
    expect(reason(make({ ...CLAIMS, iss: "https://other.test" }))).toBe("invalid id_token: issuer mismatch")
    expect(reason(make({ ...CLAIMS, aud: "client-2" }))).toBe("invalid id_token: audience mismatch")
    expect(reason(make({ ...CLAIMS, aud: ["client-1"] }))).toBe("ok")
    expect(reason(make({ ...CLAIMS, aud: ["client-1", "api"] }))).toBe("invalid id_token: audience mismatch")
    expect(reason(make({ ...CLAIMS, aud: ["client-1", "api"], azp: "client-1" }))).toBe("ok")
    expect(reason(make({ ...CLAIMS, exp: NOW - 61 }))).toBe("invalid id_token: token expired")
    expect(reason(make({ ...CLAIMS, exp: NOW - 30 }))).toBe("ok")
    expect(reason(make({ ...CLAIMS, exp: undefined }))).toBe("invalid id_token: token expired")
    expect(reason(make({ ...CLAIMS, iat: NOW + 3600 }))).toBe("invalid id_token: invalid issued-at time")
    expect(reason(make({ ...CLAIMS, nonce: "n-other" }))).toBe("invalid id_token: nonce mismatch")
    expect(reason(make({ ...CLAIMS, nonce: undefined }))).toBe("invalid id_token: nonce mismatch")
    expect(reason(make({ ...CLAIMS, sub: "" }))).toBe("invalid id_token: missing subject")
  })

  it('reads email_verified given as the string "true", and treats anything else as unverified', () => {
    const make = (v: unknown) => token({ alg: "RS256", kid: "r1" }, { ...CLAIMS, email_verified: v }, rs256())
    const verified = (v: unknown) => Either.getOrThrow(verifyIdToken(make(v), KEYS, EXPECT)).emailVerified
    expect([verified(true), verified("true"), verified(false), verified("yes"), verified(undefined)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ])
  })

  it("refuses malformed tokens", () => {
    for (const t of [
      "",
      "a.b",
      "a.b.c.d",
      "!!.e30.",
      `${b64({ alg: "RS256" })}.not-json.`,
      `${b64([1])}.${b64({})}.`,
    ]) {
      expect(reason(t)).toBe("invalid id_token: malformed token")
    }
  })
})

describe("PKCE, return_to and redirect URLs", () => {
  it("makes 43-character verifiers, a fresh one each time, and the S256 challenge of each", () => {
    const a = newPkcePair()
    const b = newPkcePair()
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a.verifier).not.toBe(b.verifier)
    expect(a.challenge).toBe(createHash("sha256").update(a.verifier, "ascii").digest("base64url"))
    expect(pkceChallenge(a.verifier)).toBe(a.challenge)
  })

  it("accepts same-origin paths only", () => {
    expect(normalizeReturnTo(null)).toEqual(Either.right(null))
    expect(normalizeReturnTo("  ")).toEqual(Either.right(null))
    expect(normalizeReturnTo(" /a/b?c=d#e ")).toEqual(Either.right("/a/b?c=d#e"))
    for (const bad of ["//x.test", "https://x.test", "x", "/\\x.test", "/a?next=http://x", "/a\tb", "/a\nb"]) {
      expect(Either.isLeft(normalizeReturnTo(bad))).toBe(true)
    }
  })

  it("appends parameters to a redirect, keeping its query and leaving empty values out", () => {
    expect(
      withQuery("https://ui.test/cb?from=x", [
        ["code", "c 1"],
        ["return_to", ""],
      ]),
    ).toBe("https://ui.test/cb?from=x&code=c+1")
    expect(withQuery("/relative", [["error", "a&b"]])).toBe("/relative?error=a%26b")
  })
})
