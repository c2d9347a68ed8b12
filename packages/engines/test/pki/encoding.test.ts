import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  DerReader,
  decodeObjectIdentifier,
  decodeTime,
  objectIdentifier,
  readSingle,
  Tag,
  unsignedInteger,
  x509Time,
} from "../../src/pki/der.js"
import {
  fingerprintMatches,
  fingerprintSha256,
  formatIpAddress,
  generateSerial,
  InvalidSerialNumber,
  normalizeFingerprint,
  normalizeSerial,
  parseIpAddress,
  pemDecode,
  pemDecodeAll,
  pemEncode,
  serialHexFromInteger,
  serialToBytes,
} from "../../src/pki/index.js"
import { hex } from "./support.js"

describe("serial numbers (api.md §2.4)", () => {
  it("normalises colons, whitespace and case", () => {
    expect(normalizeSerial("AA:bb 01")).toEqual(Either.right("aabb01"))
    expect(normalizeSerial(" 0A:0b\t\n")).toEqual(Either.right("0a0b"))
  })

  it("refuses empty, odd-length and non-hex serials with the exact message", () => {
    for (const bad of ["", "  ", "abc", "zz", "not-hex", "0x01", "aa-bb"]) {
      const result = normalizeSerial(bad)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left).toBeInstanceOf(InvalidSerialNumber)
        expect(result.left.message).toBe("invalid certificate serial number")
      }
    }
  })

  it("generates 16-byte positive serials without padding", () => {
    for (let i = 0; i < 2000; i++) {
      const serial = generateSerial()
      expect(serial.hex).toMatch(/^[0-7][0-9a-f]{31}$/)
      expect(serial.hex.startsWith("00")).toBe(false)
      expect(hex(unsignedInteger(serial.bytes))).toBe(`0210${serial.hex}`)
    }
    expect(Either.getOrThrow(serialToBytes("01:02"))).toEqual(Uint8Array.of(1, 2))
  })

  it("strips leading zero bytes of INTEGER content for lookups", () => {
    expect(serialHexFromInteger(Uint8Array.of(0, 0x80, 1))).toBe("8001")
    expect(serialHexFromInteger(Uint8Array.of(0))).toBeUndefined()
    expect(serialHexFromInteger(Uint8Array.of(0x0a))).toBe("0a")
  })
})

describe("fingerprints", () => {
  it("SHA-256 of the DER, lowercase hex; caller input normalised", () => {
    expect(fingerprintSha256(new Uint8Array(0))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    )
    expect(normalizeFingerprint("AB:cd ef")).toBe("abcdef")
    expect(fingerprintMatches("E3:B0 c4", "e3b0c4")).toBe(true)
    expect(fingerprintMatches("e3b0c5", "e3b0c4")).toBe(false)
  })
})

describe("PEM", () => {
  it("round-trips with 64-column lines and finds blocks by label", () => {
    const der = crypto.getRandomValues(new Uint8Array(200))
    const pem = pemEncode("CERTIFICATE", der)
    expect(pem.split("\n").every((line) => line.length <= 64)).toBe(true)
    expect(pem.endsWith("-----END CERTIFICATE-----\n")).toBe(true)
    const text = `junk before\r\n${pemEncode("PRIVATE KEY", Uint8Array.of(1))}${pem.replace(/\n/g, "\r\n")}`
    const blocks = Either.getOrThrow(pemDecodeAll(text))
    expect(blocks.map((block) => block.label)).toEqual(["PRIVATE KEY", "CERTIFICATE"])
    expect(Either.getOrThrow(pemDecode(text, "CERTIFICATE")).der).toEqual(der)
    expect(pemDecode("nothing here")).toEqual(Either.left("no PEM block"))
    expect(pemDecode(text, "X509 CRL")).toEqual(Either.left("no matching PEM block"))
    expect(pemDecode("-----BEGIN CERTIFICATE-----\nAAAA\n")).toEqual(Either.left("unterminated PEM block"))
    expect(pemDecode("-----BEGIN A-----\n!!!!\n-----END A-----\n")).toEqual(Either.left("invalid base64"))
  })
})

describe("IP literals", () => {
  it("parses like Rust's IpAddr and prints RFC 5952", () => {
    expect(parseIpAddress("10.0.0.1")).toEqual(Uint8Array.of(10, 0, 0, 1))
    expect(parseIpAddress("01.2.3.4")).toBeUndefined()
    expect(parseIpAddress("256.1.1.1")).toBeUndefined()
    expect(parseIpAddress("1.2.3")).toBeUndefined()
    expect(parseIpAddress("example.com")).toBeUndefined()
    expect(parseIpAddress("[::1]")).toBeUndefined()
    expect(parseIpAddress("fe80::1%eth0")).toBeUndefined()
    expect(parseIpAddress("1:2:3:4:5:6:7:8:9")).toBeUndefined()
    expect(parseIpAddress("1::2::3")).toBeUndefined()
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["::", "::"],
      ["::1", "::1"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"],
      ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
      ["64:ff9b::1.2.3.4", "64:ff9b::102:304"],
    ]
    for (const [input, canonical] of cases) {
      const bytes = parseIpAddress(input)
      expect(bytes).toHaveLength(16)
      expect(formatIpAddress(bytes ?? new Uint8Array(0))).toBe(canonical)
    }
  })
})

describe("DER primitives", () => {
  it("OIDs, integers and times round-trip", () => {
    for (const oid of ["2.5.29.19", "1.2.840.113549.1.1.11", "1.3.6.1.5.5.7.48.1.2", "2.999.1"]) {
      expect(decodeObjectIdentifier(readSingle(objectIdentifier(oid), Tag.oid, "oid"))).toBe(oid)
    }
    expect(hex(unsignedInteger(Uint8Array.of(0, 0, 0x7f)))).toBe("02017f")
    expect(hex(unsignedInteger(Uint8Array.of(0x80)))).toBe("02020080")
    expect(hex(unsignedInteger(new Uint8Array(0)))).toBe("020100")
    for (const iso of [
      "2026-01-02T03:04:05Z",
      "1999-12-31T23:59:59Z",
      "2050-01-01T00:00:00Z",
      "2049-12-31T23:59:59Z",
    ]) {
      const encoded = x509Time(new Date(iso))
      expect(encoded[0]).toBe(new Date(iso).getUTCFullYear() < 2050 ? Tag.utcTime : Tag.generalizedTime)
      const element = new DerReader(encoded).next()
      expect(decodeTime(element, "t").toISOString()).toBe(iso.replace("Z", ".000Z"))
    }
  })

  it("the reader refuses indefinite, non-minimal and truncated lengths", () => {
    expect(() => new DerReader(Uint8Array.of(0x30, 0x80, 0, 0)).next()).toThrow(/indefinite/)
    expect(() => new DerReader(Uint8Array.of(0x04, 0x81, 0x01, 0)).next()).toThrow(/non-minimal/)
    expect(() => new DerReader(Uint8Array.of(0x04, 0x05, 0)).next()).toThrow(/truncated/)
    expect(() => new DerReader(Uint8Array.of(0x1f, 0x01, 0)).next()).toThrow(/high tag/)
  })
})
