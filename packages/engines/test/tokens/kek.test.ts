import { randomBytes } from "node:crypto"
import { Either, Option } from "effect"
import { describe, expect, it } from "vitest"
import {
  constantTimeEqual,
  constantTimeEqualString,
  decodeBase64Strict,
  decodeBase64UrlStrict,
  decodeEnvelope,
  encodeEnvelope,
  generateKeyEncryptionKey,
  hmacSha256,
  kekHmac,
  kekHmacVerify,
  makeKeyEncryptionKey,
  open,
  openEnvelope,
  openString,
  parseKeyEncryptionKey,
  seal,
  sealString,
  sealToEnvelope,
} from "../../src/secrets/index.js"

const bytes = (n: number) => new Uint8Array(randomBytes(n))
const text = (s: string) => new TextEncoder().encode(s)
const kek = makeKeyEncryptionKey(new Uint8Array(32).fill(7))

const failure = <A, E extends { readonly message: string }>(e: Either.Either<A, E>): string =>
  Either.isLeft(e) ? e.left.message : "succeeded"

describe("parseKeyEncryptionKey (ATOM_KEY_ENCRYPTION_KEY)", () => {
  it("reads standard base64 of 32 bytes, labelled local:v1 by default", () => {
    const env = Buffer.alloc(32, 7).toString("base64")
    const parsed = Either.getOrThrow(parseKeyEncryptionKey(`  ${env}\n`))
    const k = Option.getOrThrow(parsed)
    expect(k.keyId).toBe("local:v1")
    expect(kekHmac(k, text("secret"))).toEqual(kekHmac(kek, text("secret")))
    expect(Option.getOrThrow(Either.getOrThrow(parseKeyEncryptionKey(env, "kms:v2"))).keyId).toBe("kms:v2")
  })

  it("blank or absent means no KEK", () => {
    expect(parseKeyEncryptionKey(undefined)).toEqual(Either.right(Option.none()))
    expect(parseKeyEncryptionKey("   ")).toEqual(Either.right(Option.none()))
  })

  it("anything else fails startup with the reference's texts", () => {
    expect(failure(parseKeyEncryptionKey("too-short"))).toBe("ATOM_KEY_ENCRYPTION_KEY must be base64 encoded")
    expect(failure(parseKeyEncryptionKey(Buffer.alloc(16).toString("base64")))).toBe(
      "ATOM_KEY_ENCRYPTION_KEY must decode to exactly 32 bytes",
    )
    // url-safe alphabet, missing padding and hex are not standard base64
    const raw = Buffer.alloc(32, 0xfb)
    expect(failure(parseKeyEncryptionKey(raw.toString("base64url")))).toBe(
      "ATOM_KEY_ENCRYPTION_KEY must be base64 encoded",
    )
    expect(failure(parseKeyEncryptionKey(raw.toString("base64").replace(/=$/, "")))).toBe(
      "ATOM_KEY_ENCRYPTION_KEY must be base64 encoded",
    )
    expect(failure(parseKeyEncryptionKey(raw.toString("hex")))).toBe(
      "ATOM_KEY_ENCRYPTION_KEY must decode to exactly 32 bytes",
    )
  })

  it("generateKeyEncryptionKey round-trips through its env form", () => {
    const { kek: k, env } = generateKeyEncryptionKey()
    const back = Option.getOrThrow(Either.getOrThrow(parseKeyEncryptionKey(env)))
    expect(kekHmac(back, text("x"))).toEqual(kekHmac(k, text("x")))
  })
})

describe("seal / open (AES-256-GCM)", () => {
  const aad = text("9b2f6c1e-0000-4000-8000-000000000001")

  it("round-trips and records key id, algorithm and a 12-byte nonce", () => {
    const plain = bytes(100)
    const sealed = seal(kek, aad, plain)
    expect(sealed.keyId).toBe("local:v1")
    expect(sealed.algorithm).toBe("AES-256-GCM")
    expect(sealed.nonce).toHaveLength(12)
    expect(sealed.ciphertext).toHaveLength(116)
    expect(Either.getOrThrow(open(kek, aad, sealed))).toEqual(plain)
    // fresh nonce each time
    expect(seal(kek, aad, plain).nonce).not.toEqual(sealed.nonce)
    expect(Either.getOrThrow(openString(kek, aad, sealString(kek, aad, "pem text ✓")))).toBe("pem text ✓")
  })

  it("detects tampering of ciphertext, tag and nonce", () => {
    const sealed = seal(kek, aad, text("secret"))
    const flip = (b: Uint8Array, i: number) => {
      const c = Uint8Array.from(b)
      c[i] = (c[i] ?? 0) ^ 0x01
      return c
    }
    expect(failure(open(kek, aad, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }))).toBe("aead decrypt")
    expect(
      failure(open(kek, aad, { ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) })),
    ).toBe("aead decrypt")
    expect(failure(open(kek, aad, { ...sealed, nonce: flip(sealed.nonce, 3) }))).toBe("aead decrypt")
    expect(failure(open(kek, aad, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }))).toBe("aead decrypt")
    expect(failure(open(kek, aad, { ...sealed, nonce: sealed.nonce.subarray(0, 8) }))).toBe("invalid aead nonce length")
  })

  it("is bound to its AAD (a ciphertext cannot move to another row)", () => {
    const sealed = seal(kek, aad, text("secret"))
    expect(failure(open(kek, text("another-row"), sealed))).toBe("aead decrypt")
  })

  it("fails under the wrong key, another key id or another algorithm", () => {
    const sealed = seal(kek, aad, text("secret"))
    const sameLabelOtherBytes = makeKeyEncryptionKey(new Uint8Array(32).fill(8))
    expect(failure(open(sameLabelOtherBytes, aad, sealed))).toBe("aead decrypt")
    const otherLabel = makeKeyEncryptionKey(new Uint8Array(32).fill(7), "local:v2")
    expect(Either.isLeft(open(otherLabel, aad, sealed))).toBe(true)
    const r = open(otherLabel, aad, sealed)
    expect(Either.isLeft(r) && r.left.reason).toBe("key-id-mismatch")
    const alg = open(kek, aad, { ...sealed, algorithm: "AES-128-GCM" })
    expect(Either.isLeft(alg) && alg.left.reason).toBe("unsupported-algorithm")
  })

  it("openString refuses bytes that are not UTF-8", () => {
    const sealed = seal(kek, aad, Uint8Array.from([0xff, 0xfe]))
    const r = openString(kek, aad, sealed)
    expect(Either.isLeft(r) && r.left.reason).toBe("not-utf8")
  })
})

describe("envelope string", () => {
  const aad = text("kid")

  it("is versioned, self-describing and round-trips", () => {
    const env = sealToEnvelope(kek, aad, text("hello"))
    expect(env).toMatch(/^atomkek:v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/)
    const sealed = Either.getOrThrow(decodeEnvelope(env))
    expect(sealed.keyId).toBe("local:v1")
    expect(encodeEnvelope(sealed)).toBe(env)
    expect(new TextDecoder().decode(Either.getOrThrow(openEnvelope(kek, aad, env)))).toBe("hello")
  })

  it("rejects malformed and tampered envelopes", () => {
    const env = sealToEnvelope(kek, aad, text("hello"))
    const parts = env.split(":")
    expect(Either.isLeft(decodeEnvelope("hello"))).toBe(true)
    expect(Either.isLeft(decodeEnvelope(env.replace(":v1:", ":v2:")))).toBe(true)
    expect(Either.isLeft(decodeEnvelope(`${env}=`))).toBe(true)
    expect(Either.isLeft(decodeEnvelope([...parts.slice(0, 3), "AAAA", parts[4]].join(":")))).toBe(true)
    const ct = Buffer.from(parts[4] ?? "", "base64url")
    ct[0] = (ct[0] ?? 0) ^ 1
    const tampered = [...parts.slice(0, 4), ct.toString("base64url")].join(":")
    expect(failure(openEnvelope(kek, aad, tampered))).toBe("aead decrypt")
    expect(failure(openEnvelope(makeKeyEncryptionKey(bytes(32)), aad, env))).toBe("aead decrypt")
  })
})

describe("keyed digests and constant-time comparison", () => {
  it("the KEK HMAC is keyed and verifies in constant time", () => {
    const d = kekHmac(kek, text("secret"))
    expect(d).toHaveLength(32)
    expect(d).toEqual(hmacSha256(new Uint8Array(32).fill(7), text("secret")))
    expect(kekHmac(makeKeyEncryptionKey(new Uint8Array(32).fill(8)), text("secret"))).not.toEqual(d)
    expect(kekHmacVerify(kek, text("secret"), d)).toBe(true)
    expect(kekHmacVerify(kek, text("secreT"), d)).toBe(false)
    expect(kekHmacVerify(kek, text("secret"), d.subarray(0, 31))).toBe(false)
    expect(kekHmacVerify(kek, text("secret"), new Uint8Array(0))).toBe(false)
  })

  it("constantTimeEqual handles unequal lengths", () => {
    expect(constantTimeEqual(text("abc"), text("abc"))).toBe(true)
    expect(constantTimeEqual(text("abc"), text("abd"))).toBe(false)
    expect(constantTimeEqual(text("abc"), text("abcd"))).toBe(false)
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true)
    expect(constantTimeEqualString("x".repeat(64), "x".repeat(64))).toBe(true)
    expect(constantTimeEqualString("x".repeat(64), "x".repeat(63))).toBe(false)
  })
})

describe("strict base64 (the reference decoder's decisions and texts)", () => {
  it("agrees with Node on every valid unpadded base64url length", () => {
    for (let n = 0; n < 70; n++) {
      const b = bytes(n)
      const r = decodeBase64UrlStrict(b.length === 0 ? "" : Buffer.from(b).toString("base64url"))
      expect(r.ok && Buffer.from(r.bytes).equals(Buffer.from(b))).toBe(true)
      const s = decodeBase64Strict(Buffer.from(b).toString("base64"))
      expect(s.ok && Buffer.from(s.bytes).equals(Buffer.from(b))).toBe(true)
    }
  })

  it("rejects what the lenient Node decoder would accept", () => {
    const err = (s: string) => {
      const r = decodeBase64UrlStrict(s)
      return r.ok ? "ok" : r.error._tag
    }
    expect(err("abc=")).toBe("InvalidPadding")
    expect(err("a")).toBe("InvalidLength")
    expect(err("ab.c")).toBe("InvalidByte")
    expect(err("AB")).toBe("InvalidLastSymbol")
    expect(err("ab+c")).toBe("InvalidByte")
    expect(err("A=AA")).toBe("InvalidByte")
    const std = decodeBase64Strict("AAA")
    expect(std.ok ? "ok" : std.error._tag).toBe("InvalidPadding")
  })
})
