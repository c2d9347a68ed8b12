import { createHmac, sign as cryptoSign, randomUUID, webcrypto } from "node:crypto"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { encodeBase64Url } from "../../src/secrets/index.js"
import {
  decodeJwtHeader,
  exportPublicKeyPem,
  generateSigningKey,
  issueSessionToken,
  type JwtVerifyOptions,
  type SessionClaims,
  sessionIdentity,
  signJwt,
  verifyJwt,
} from "../../src/tokens/index.js"

const ISS = "http://localhost:8080"
const AUD = "magistrala"
const NOW = 1_900_000_000

const primary = generateSigningKey()
const standby = generateSigningKey()
const stranger = generateSigningKey()

const options = (overrides: Partial<JwtVerifyOptions> = {}): JwtVerifyOptions => ({
  keys: [primary, standby],
  issuer: ISS,
  audience: AUD,
  now: NOW,
  ...overrides,
})

const claims = (overrides: Partial<SessionClaims> = {}): SessionClaims => ({
  iss: ISS,
  aud: AUD,
  sub: randomUUID(),
  sid: randomUUID(),
  tid: null,
  iat: NOW,
  exp: NOW + 3600,
  ...overrides,
})

const b64json = (value: unknown): string => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)))
const b64text = (text: string): string => encodeBase64Url(new TextEncoder().encode(text))

/** Signs arbitrary header/payload JSON text with a P-256 key, JOSE r‖s form. */
const es256 = (headerText: string, payloadText: string, key = primary): string => {
  const message = `${b64text(headerText)}.${b64text(payloadText)}`
  const sig = cryptoSign("sha256", Buffer.from(message), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
  return `${message}.${encodeBase64Url(sig)}`
}

const message = (token: string, o: JwtVerifyOptions = options()): string => {
  const result = verifyJwt(token, o)
  if (Either.isRight(result)) throw new Error("expected a rejection")
  return result.left.message
}

describe("signJwt / verifyJwt round trip", () => {
  it("verifies its own token and returns the claims", () => {
    const c = claims({ tid: randomUUID() })
    const token = signJwt(c, primary)
    expect(verifyJwt(token, options())).toEqual(Either.right(c))
  })

  it("writes the reference's header and claim order, and a 64-byte JOSE signature", () => {
    const c = claims()
    const [h = "", p = "", s = ""] = signJwt(c, primary).split(".")
    expect(Buffer.from(h, "base64url").toString()).toBe(`{"typ":"JWT","alg":"ES256","kid":"${primary.kid}"}`)
    expect(Buffer.from(p, "base64url").toString()).toBe(
      `{"iss":"${ISS}","aud":"${AUD}","sub":"${c.sub}","sid":"${c.sid}","tid":null,"exp":${c.exp},"iat":${c.iat}}`,
    )
    expect(Buffer.from(s, "base64url")).toHaveLength(64)
    expect(s).not.toMatch(/[=+/]/)
  })

  it("issueSessionToken sets exp = iat + expiry", () => {
    const { token, claims: c } = issueSessionToken(
      {
        entityId: randomUUID(),
        sessionId: randomUUID(),
        tenantId: null,
        issuer: ISS,
        audience: AUD,
        expirySecs: 3600,
        now: NOW,
      },
      primary,
    )
    expect(c.exp - c.iat).toBe(3600)
    expect(Either.getOrThrow(verifyJwt(token, options()))).toEqual(c)
  })

  it("accepts tokens of the standby key, with a lookup function too", () => {
    const token = signJwt(claims(), standby)
    expect(Either.isRight(verifyJwt(token, options()))).toBe(true)
    const byKid = (kid: string) => (kid === standby.kid ? standby : undefined)
    expect(Either.isRight(verifyJwt(token, options({ keys: byKid })))).toBe(true)
  })

  it("interoperates with WebCrypto ECDSA P-256 both ways", async () => {
    const subtle = webcrypto.subtle
    const c = claims()
    const token = signJwt(c, primary)
    const [h = "", p = "", s = ""] = token.split(".")
    const pub = await subtle.importKey("jwk", { ...primary.publicJwk }, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ])
    const ok = await subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      pub,
      Buffer.from(s, "base64url"),
      Buffer.from(`${h}.${p}`),
    )
    expect(ok).toBe(true)

    const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
    const kid = randomUUID()
    const msg = `${b64json({ typ: "JWT", alg: "ES256", kid })}.${b64json(c)}`
    const sig = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, Buffer.from(msg)))
    const { KeyObject } = await import("node:crypto")
    const verifier = { kid, publicKey: KeyObject.from(pair.publicKey) }
    expect(Either.isRight(verifyJwt(`${msg}.${encodeBase64Url(sig)}`, options({ keys: [verifier] })))).toBe(true)
  })
})

describe("verifyJwt rejections (api.md §6.4 texts)", () => {
  it("malformed structure", () => {
    expect(message("")).toBe("invalid token: InvalidToken")
    expect(message("abc")).toBe("invalid token: InvalidToken")
    expect(message("a.b")).toBe("invalid token: InvalidToken")
  })

  it("segments that are not base64url", () => {
    expect(message("not.a.jwt")).toBe("invalid token: Base64 error: Invalid last symbol 116, offset 2.")
    expect(message("a.b.c.d")).toBe("invalid token: Base64 error: Invalid symbol 46, offset 1.")
    expect(message("e30=.e30.sig")).toBe("invalid token: Base64 error: Invalid padding")
    expect(message("eyJ!.e30.sig")).toBe("invalid token: Base64 error: Invalid symbol 33, offset 3.")
    expect(message("e.e30.sig")).toBe("invalid token: Base64 error: Invalid input length: 1")
  })

  it("a header that is not the expected JSON", () => {
    expect(message(`${b64text("")}.e30.x`)).toBe(
      "invalid token: JSON error: EOF while parsing a value at line 1 column 0",
    )
    expect(message(`${b64text("{}")}.e30.x`)).toBe("invalid token: JSON error: missing field `alg` at line 1 column 2")
    expect(message(`${b64text('{"alg":"ES256"} x')}.e30.x`)).toBe(
      "invalid token: JSON error: trailing characters at line 1 column 17",
    )
    expect(message(`${b64text('{"alg":"ES256","alg":"ES256"}')}.e30.x`)).toBe(
      "invalid token: JSON error: duplicate field `alg` at line 1 column 20",
    )
    expect(message(`${b64text('{"alg":5}')}.e30.x`)).toBe(
      "invalid token: JSON error: expected value at line 1 column 8",
    )
    expect(message(`${b64text('{"alg":"ES256","kid":7}')}.e30.x`)).toBe(
      "invalid token: JSON error: invalid type: integer `7`, expected a string at line 1 column 22",
    )
  })

  it("alg none is rejected while decoding the header, before any key lookup", () => {
    const payload = b64json(claims())
    const expected =
      "invalid token: JSON error: unknown variant `none`, expected one of `HS256`, `HS384`, `HS512`, `ES256`, " +
      "`ES384`, `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `EdDSA` at line 1 column 13"
    expect(message(`${b64text('{"alg":"none","typ":"JWT"}')}.${payload}.`)).toBe(expected)
    expect(message(`${b64json({ alg: "none", typ: "JWT", kid: primary.kid })}.${payload}.`)).toBe(expected)
    expect(message(`${b64json({ typ: "JWT", alg: "none", kid: primary.kid })}.${payload}.`)).toContain(
      "unknown variant `none`",
    )
    expect(message(`${b64json({ typ: "JWT", alg: "None", kid: primary.kid })}.${payload}.AAAA`)).toContain(
      "unknown variant `None`",
    )
  })

  it("HS256 signed with the public key (algorithm confusion) never verifies", () => {
    const pem = exportPublicKeyPem(primary)
    const forge = (header: object) => {
      const msg = `${b64json(header)}.${b64json(claims())}`
      return `${msg}.${encodeBase64Url(createHmac("sha256", pem).update(msg).digest())}`
    }
    expect(message(forge({ typ: "JWT", alg: "HS256", kid: primary.kid }))).toBe("invalid token: InvalidAlgorithm")
    // the JWK-as-secret variant too
    const jwkSecret = JSON.stringify(primary.publicJwk)
    const msg = `${b64json({ typ: "JWT", alg: "HS256", kid: primary.kid })}.${b64json(claims())}`
    const token = `${msg}.${encodeBase64Url(createHmac("sha256", jwkSecret).update(msg).digest())}`
    expect(message(token)).toBe("invalid token: InvalidAlgorithm")
    // kid checks come first, as in the reference
    expect(message(forge({ typ: "JWT", alg: "HS256" }))).toBe("token missing kid claim")
    expect(message(forge({ typ: "JWT", alg: "HS256", kid: randomUUID() }))).toBe(
      "token signed with unknown or retired key",
    )
  })

  it("any other algorithm is refused before the signature is looked at", () => {
    for (const alg of ["HS384", "HS512", "ES384", "RS256", "PS256", "EdDSA"]) {
      expect(message(`${b64json({ typ: "JWT", alg, kid: primary.kid })}.${b64json(claims())}.AAAA`)).toBe(
        "invalid token: InvalidAlgorithm",
      )
    }
  })

  it("missing kid, unknown kid", () => {
    const noKid = es256(JSON.stringify({ typ: "JWT", alg: "ES256" }), JSON.stringify(claims()))
    expect(message(noKid)).toBe("token missing kid claim")
    const nullKid = es256(JSON.stringify({ typ: "JWT", alg: "ES256", kid: null }), JSON.stringify(claims()))
    expect(message(nullKid)).toBe("token missing kid claim")
    expect(message(signJwt(claims(), stranger))).toBe("token signed with unknown or retired key")
    // a retired key: once rotated out of the key set, its tokens stop verifying
    expect(message(signJwt(claims(), standby), options({ keys: [primary] }))).toBe(
      "token signed with unknown or retired key",
    )
  })

  it("bad signatures", () => {
    const token = signJwt(claims(), primary)
    const [h = "", p = "", s = ""] = token.split(".")
    // tampered payload
    const tampered = b64json({ ...claims(), sub: randomUUID() })
    expect(message(`${h}.${tampered}.${s}`)).toBe("invalid token: InvalidSignature")
    // another key's signature under this kid
    const other = signJwt(claims(), { kid: primary.kid, privateKey: stranger.privateKey })
    expect(message(other)).toBe("invalid token: InvalidSignature")
    // DER instead of r‖s, a truncated signature, an empty one, a flipped bit
    const der = cryptoSign("sha256", Buffer.from(`${h}.${p}`), primary.privateKey)
    expect(message(`${h}.${p}.${encodeBase64Url(der)}`)).toBe("invalid token: InvalidSignature")
    expect(message(`${h}.${p}.${s.slice(0, 40)}`)).toBe("invalid token: InvalidSignature")
    expect(message(`${h}.${p}.`)).toBe("invalid token: InvalidSignature")
    const sig = Buffer.from(s, "base64url")
    sig[10] = (sig[10] ?? 0) ^ 1
    expect(message(`${h}.${p}.${encodeBase64Url(sig)}`)).toBe("invalid token: InvalidSignature")
    // a signature that is not base64url
    expect(message(`${h}.${p}.${s}=`)).toBe("invalid token: Base64 error: Invalid padding")
  })

  it("expired, with 60 s leeway", () => {
    expect(message(signJwt(claims({ exp: NOW - 61 }), primary))).toBe("invalid token: ExpiredSignature")
    expect(Either.isRight(verifyJwt(signJwt(claims({ exp: NOW - 60 }), primary), options()))).toBe(true)
    expect(Either.isRight(verifyJwt(signJwt(claims({ exp: NOW - 1 }), primary), options()))).toBe(true)
    expect(message(signJwt(claims({ exp: NOW - 1 }), primary), options({ leewaySecs: 0 }))).toBe(
      "invalid token: ExpiredSignature",
    )
  })

  it("wrong issuer, wrong audience; expiry is checked first", () => {
    expect(message(signJwt(claims({ iss: "https://evil.example" }), primary))).toBe("invalid token: InvalidIssuer")
    expect(message(signJwt(claims({ aud: "other" }), primary))).toBe("invalid token: InvalidAudience")
    expect(message(signJwt(claims({ iss: "x", aud: "y", exp: NOW - 100 }), primary))).toBe(
      "invalid token: ExpiredSignature",
    )
    expect(message(signJwt(claims({ iss: "x", aud: "y" }), primary))).toBe("invalid token: InvalidIssuer")
  })

  it("claims of the wrong shape, even when correctly signed", () => {
    const header = JSON.stringify({ typ: "JWT", alg: "ES256", kid: primary.kid })
    const { sid: _sid, ...noSid } = claims()
    const noSidText = JSON.stringify(noSid)
    expect(message(es256(header, noSidText))).toBe(
      `invalid token: JSON error: missing field \`sid\` at line 1 column ${noSidText.length}`,
    )
    const { exp: _exp, ...noExp } = claims()
    expect(message(es256(header, JSON.stringify(noExp)))).toContain("missing field `exp`")
    expect(message(es256(header, JSON.stringify({ ...claims(), aud: [AUD] })))).toContain(
      "invalid type: sequence, expected a string",
    )
    expect(message(es256(header, JSON.stringify({ ...claims(), exp: -5 })))).toContain(
      "invalid value: integer `-5`, expected usize",
    )
    expect(message(es256(header, JSON.stringify({ ...claims(), exp: 1.5 })))).toContain(
      "invalid type: floating point `1.5`, expected usize",
    )
  })
})

describe("decodeJwtHeader and sessionIdentity", () => {
  it("decodes the header without verifying", () => {
    expect(decodeJwtHeader(signJwt(claims(), primary))).toEqual(
      Either.right({ alg: "ES256", typ: "JWT", kid: primary.kid }),
    )
  })

  it("parses the ids as UUIDs, with the reference's texts", () => {
    const c = claims({ tid: randomUUID() })
    expect(sessionIdentity(c)).toEqual(Either.right({ entityId: c.sub, sessionId: c.sid, tenantId: c.tid }))
    expect(Either.getOrThrow(sessionIdentity(claims({ sub: c.sub.toUpperCase() }))).entityId).toBe(c.sub)
    const bad = (o: Partial<SessionClaims>) => {
      const r = sessionIdentity(claims(o))
      return Either.isLeft(r) ? r.left.message : "ok"
    }
    expect(bad({ sub: "admin" })).toBe("invalid entity id in token")
    expect(bad({ sid: "" })).toBe("invalid session id in token")
    expect(bad({ tid: "t-1" })).toBe("invalid tenant id in token")
    expect(bad({ tid: null })).toBe("ok")
  })
})
