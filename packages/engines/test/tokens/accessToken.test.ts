import { randomUUID } from "node:crypto"
import { Either, Option } from "effect"
import { describe, expect, it } from "vitest"
import { makeKeyEncryptionKey } from "../../src/secrets/index.js"
import {
  accessTokenIdentifier,
  accessTokenLookupHash,
  embeddedSharedKeyCredentialId,
  formatAccessToken,
  generateAccessToken,
  generateOpaqueToken,
  generateSharedKey,
  hashOpaqueSecret,
  isAccessTokenBearer,
  isArgon2Verifier,
  OpaqueTokenPrefix,
  openSharedKey,
  parseAccessToken,
  parseOpaqueToken,
  parseUuid,
  SHARED_KEY_PREFIX,
  sealSharedKey,
  sharedKeyLookupHash,
  uuidFromBytes,
  uuidToBytes,
  verifyAccessTokenLookupHash,
  verifyOpaqueSecret,
  verifySharedKeyLookupHash,
} from "../../src/tokens/index.js"

const kek = makeKeyEncryptionKey(new Uint8Array(32).fill(7))

const parseError = (token: string): string => {
  const r = parseAccessToken(token)
  return Either.isLeft(r) ? r.left.message : "parsed"
}

describe("access tokens", () => {
  it("atom_<credential uuid hex>_<64 hex>, 102 chars, identifier = first 13", () => {
    const id = randomUUID()
    const minted = generateAccessToken(id)
    expect(minted.token).toMatch(/^atom_[0-9a-f]{32}_[0-9a-f]{64}$/)
    expect(minted.token).toHaveLength(102)
    expect(minted.token.slice(5, 37)).toBe(id.replace(/-/g, ""))
    expect(minted.credentialId).toBe(id)
    expect(minted.secret).toHaveLength(32)
    expect(minted.identifier).toBe(minted.token.slice(0, 13))
    expect(accessTokenIdentifier(minted.token)).toBe(minted.identifier)
    expect(isAccessTokenBearer(minted.token)).toBe(true)
    expect(formatAccessToken(id, minted.secret)).toBe(minted.token)
    expect(generateAccessToken().credentialId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("parses back to the credential id and the raw secret", () => {
    const minted = generateAccessToken()
    expect(parseAccessToken(minted.token)).toEqual(
      Either.right({ credentialId: minted.credentialId, secret: minted.secret }),
    )
    // hex of either case, as the reference's decoder accepts; the id comes back canonical
    const upper = `atom_${minted.token.slice(5).toUpperCase()}`
    expect(Either.getOrThrow(parseAccessToken(upper)).credentialId).toBe(minted.credentialId)
  })

  it("rejects every other shape with `malformed api key`", () => {
    const t = generateAccessToken().token
    const hexId = t.slice(5, 37)
    const hexSecret = t.slice(38)
    for (const bad of [
      "",
      "atom_",
      t.slice(0, 101),
      `${t}0`,
      `atom-${t.slice(5)}`,
      `Atom_${t.slice(5)}`,
      `atom_${hexId}-${hexSecret}`,
      `atom_${hexId}_${hexSecret.slice(0, 63)}g`,
      `atom_${hexId.slice(0, 31)}z_${hexSecret}`,
      `atom_${hexId.slice(0, 8)}-${hexId.slice(9)}_${hexSecret}`,
      `atom_${hexId}__${hexSecret.slice(1)}`,
      `atom_${hexId}_${hexSecret.slice(0, 63)}é`,
      `atom_ ${hexId.slice(1)}_${hexSecret}`,
      generateSharedKey(randomUUID()),
    ]) {
      expect(parseError(bad)).toBe("malformed api key")
    }
  })

  it("the verifier is HMAC-SHA256(KEK, raw secret bytes), compared in constant time", () => {
    const minted = generateAccessToken()
    const stored = accessTokenLookupHash(kek, minted.secret)
    expect(stored).toHaveLength(32)
    const parsed = Either.getOrThrow(parseAccessToken(minted.token))
    expect(verifyAccessTokenLookupHash(kek, parsed.secret, stored)).toBe(true)
    const other = Either.getOrThrow(parseAccessToken(generateAccessToken(minted.credentialId).token))
    expect(verifyAccessTokenLookupHash(kek, other.secret, stored)).toBe(false)
    expect(verifyAccessTokenLookupHash(makeKeyEncryptionKey(new Uint8Array(32).fill(1)), parsed.secret, stored)).toBe(
      false,
    )
    expect(verifyAccessTokenLookupHash(kek, parsed.secret, stored.subarray(0, 16))).toBe(false)
  })
})

describe("shared keys", () => {
  it("atom_shared_<credential uuid hex>_<64 hex>, with the embedded id recoverable", () => {
    const id = randomUUID()
    const key = generateSharedKey(id)
    expect(key).toMatch(/^atom_shared_[0-9a-f]{32}_[0-9a-f]{64}$/)
    expect(embeddedSharedKeyCredentialId(key)).toEqual(Option.some(id))
    expect(embeddedSharedKeyCredentialId("operator-chosen-key")).toEqual(Option.none())
    expect(embeddedSharedKeyCredentialId(`${SHARED_KEY_PREFIX}zz_abc`)).toEqual(Option.none())
    expect(embeddedSharedKeyCredentialId(`${SHARED_KEY_PREFIX}${id.replace(/-/g, "")}`)).toEqual(Option.some(id))
  })

  it("lookup digest over the whole key text, and sealing bound to the credential id", () => {
    const id = randomUUID()
    const key = generateSharedKey(id)
    const digest = sharedKeyLookupHash(kek, key)
    expect(verifySharedKeyLookupHash(kek, key, digest)).toBe(true)
    expect(verifySharedKeyLookupHash(kek, `${key}x`, digest)).toBe(false)
    const sealed = sealSharedKey(kek, id, key)
    expect(Either.getOrThrow(openSharedKey(kek, id, sealed))).toBe(key)
    expect(Either.isLeft(openSharedKey(kek, randomUUID(), sealed))).toBe(true)
  })
})

describe("one-time tokens", () => {
  it("uses the spec's prefixes and <prefix>_<32 hex id>_<64 hex> shape", () => {
    expect(OpaqueTokenPrefix).toEqual({
      emailVerification: "atomv",
      passwordReset: "atomr",
      oauthState: "atoms",
      authExchangeCode: "atomx",
      tenantInvitation: "atomi",
    })
    for (const prefix of Object.values(OpaqueTokenPrefix)) {
      const t = generateOpaqueToken(prefix)
      expect(t.token).toMatch(new RegExp(`^${prefix}_[0-9a-f]{32}_[0-9a-f]{64}$`))
      expect(encodeURIComponent(t.token)).toBe(t.token)
      expect(parseOpaqueToken(t.token, prefix)).toEqual(Option.some(t))
    }
  })

  it("parses strictly and only under its own prefix", () => {
    const t = generateOpaqueToken(OpaqueTokenPrefix.passwordReset)
    expect(parseOpaqueToken(t.token, OpaqueTokenPrefix.emailVerification)).toEqual(Option.none())
    expect(parseOpaqueToken(t.token.slice(0, -1), OpaqueTokenPrefix.passwordReset)).toEqual(Option.none())
    expect(parseOpaqueToken(`${t.token}0`, OpaqueTokenPrefix.passwordReset)).toEqual(Option.none())
    expect(parseOpaqueToken(`${t.token.slice(0, -1)}g`, OpaqueTokenPrefix.passwordReset)).toEqual(Option.none())
    expect(parseOpaqueToken(t.token.replace(/_([0-9a-f]{64})$/, "-$1"), OpaqueTokenPrefix.passwordReset)).toEqual(
      Option.none(),
    )
  })

  it("stores SHA-256 of the secret and verifies in constant time", () => {
    const t = generateOpaqueToken(OpaqueTokenPrefix.authExchangeCode)
    const stored = hashOpaqueSecret(t.secret)
    expect(stored).toMatch(/^[0-9a-f]{64}$/)
    expect(verifyOpaqueSecret(t.secret, stored)).toBe(true)
    expect(verifyOpaqueSecret(generateOpaqueToken(OpaqueTokenPrefix.authExchangeCode).secret, stored)).toBe(false)
    expect(isArgon2Verifier(stored)).toBe(false)
    expect(isArgon2Verifier("$argon2id$v=19$m=19456,t=2,p=1$abc$def")).toBe(true)
  })
})

describe("uuid helpers", () => {
  it("accepts the reference parser's forms and canonicalises", () => {
    const id = randomUUID()
    const simple = id.replace(/-/g, "")
    for (const form of [id, id.toUpperCase(), simple, `{${id}}`, `urn:uuid:${id}`]) expect(parseUuid(form)).toBe(id)
    for (const bad of ["", "admin", `${id}x`, simple.slice(1), `{${id}`]) expect(parseUuid(bad)).toBeNull()
    expect(uuidFromBytes(uuidToBytes(id))).toBe(id)
  })
})
