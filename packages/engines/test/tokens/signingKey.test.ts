import { createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { makeKeyEncryptionKey } from "../../src/secrets/index.js"
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateSigningKey,
  importSigningKey,
  importVerificationKey,
  jwks,
  openSigningKey,
  sealSigningKey,
  signJwt,
  verifyJwt,
} from "../../src/tokens/index.js"

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const kek = makeKeyEncryptionKey(new Uint8Array(32).fill(7))

describe("signing keys", () => {
  it("generates a P-256 key under a UUIDv4 kid with the JWKS member set", () => {
    const key = generateSigningKey()
    expect(key.kid).toMatch(UUID_V4)
    const { x, y, ...rest } = key.publicJwk
    expect(rest).toEqual({ kty: "EC", crv: "P-256", kid: key.kid, use: "sig", alg: "ES256" })
    expect(Object.keys(key.publicJwk)).toEqual(["kty", "crv", "x", "y", "kid", "use", "alg"])
    for (const c of [x, y]) {
      expect(c).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(c, "base64url")).toHaveLength(32)
    }
    // the JWK names the same public key
    const fromJwk = createPublicKey({ key: { kty: "EC", crv: "P-256", x, y }, format: "jwk" })
    expect(fromJwk.equals(key.publicKey)).toBe(true)
  })

  it("exports PKCS#8 / SPKI PEM and imports them back", () => {
    const key = generateSigningKey()
    const privatePem = exportPrivateKeyPem(key)
    const publicPem = exportPublicKeyPem(key)
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const again = Either.getOrThrow(importSigningKey(key.kid, privatePem))
    expect(again.publicJwk).toEqual(key.publicJwk)
    const verifier = Either.getOrThrow(importVerificationKey(key.kid, publicPem))
    expect(verifier.publicJwk).toEqual(key.publicJwk)
    // a token signed by the re-imported key verifies with the public half
    const now = 1_900_000_000
    const token = signJwt(
      { iss: "i", aud: "a", sub: randomUUID(), sid: randomUUID(), tid: null, iat: now, exp: now + 60 },
      again,
    )
    expect(Either.isRight(verifyJwt(token, { keys: [verifier], issuer: "i", audience: "a", now }))).toBe(true)
  })

  it("refuses keys that are not P-256 or not PEM, and kids that are not UUIDs", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" })
    const kid = randomUUID()
    expect(
      Either.isLeft(importSigningKey(kid, p384.privateKey.export({ format: "pem", type: "pkcs8" }).toString())),
    ).toBe(true)
    expect(
      Either.isLeft(importVerificationKey(kid, p384.publicKey.export({ format: "pem", type: "spki" }).toString())),
    ).toBe(true)
    const ed = generateKeyPairSync("ed25519")
    expect(
      Either.isLeft(importSigningKey(kid, ed.privateKey.export({ format: "pem", type: "pkcs8" }).toString())),
    ).toBe(true)
    expect(Either.isLeft(importSigningKey(kid, "not a pem"))).toBe(true)
    const key = generateSigningKey()
    expect(Either.isLeft(importSigningKey("primary", exportPrivateKeyPem(key)))).toBe(true)
  })

  it("seals the private key under the KEK, bound to its kid", () => {
    const key = generateSigningKey()
    const sealed = sealSigningKey(kek, key)
    expect(sealed.keyId).toBe("local:v1")
    expect(sealed.algorithm).toBe("AES-256-GCM")
    const opened = Either.getOrThrow(openSigningKey(kek, key.kid, sealed))
    expect(opened.publicJwk).toEqual(key.publicJwk)
    // moved to another kid, or opened under another key: fails
    expect(Either.isLeft(openSigningKey(kek, randomUUID(), sealed))).toBe(true)
    expect(Either.isLeft(openSigningKey(makeKeyEncryptionKey(new Uint8Array(32).fill(9)), key.kid, sealed))).toBe(true)
  })

  it("JWKS lists the primary, then the standby", () => {
    const primary = generateSigningKey()
    const standby = generateSigningKey()
    expect(jwks(primary)).toEqual({ keys: [primary.publicJwk] })
    expect(jwks(primary, standby)).toEqual({ keys: [primary.publicJwk, standby.publicJwk] })
    expect(jwks(primary, null)).toEqual({ keys: [primary.publicJwk] })
    expect(JSON.parse(JSON.stringify(jwks(primary)))).toEqual({ keys: [primary.publicJwk] })
  })
})
