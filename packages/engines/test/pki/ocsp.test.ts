import { Effect, Either } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import {
  buildOcspResponse,
  certIdMatchesIssuer,
  generateDevCaLayouts,
  type Issuer,
  issueLeafWithGeneratedKey,
  loadIssuer,
  type OcspCertStatus,
  OcspMalformedRequest,
  OcspStatus,
  ocspUnsuccessfulResponse,
  parseOcspRequest,
  respondToOcsp,
} from "../../src/pki/index.js"
import { hex, openssl, opensslOk, read, run, SETTINGS, tempDir, write } from "./support.js"

type Which = "intermediate" | "root" | "rsa"

let dir: string
const issuers = new Map<Which, Issuer>()
const issuerOf = (which: Which): Issuer => {
  const issuer = issuers.get(which)
  if (issuer === undefined) throw new Error(which)
  return issuer
}

beforeAll(async () => {
  dir = tempDir()
  const ec = await run(generateDevCaLayouts())
  issuers.set("intermediate", await run(loadIssuer(ec.intermediate)))
  issuers.set("root", await run(loadIssuer(ec.root)))
  const rsa = await run(generateDevCaLayouts({ keyType: "RSA-2048" }))
  issuers.set("rsa", await run(loadIssuer(rsa.intermediate)))
  for (const which of ["intermediate", "root", "rsa"] as const) {
    const issuer = issuerOf(which)
    write(dir, `${which}-issuer.pem`, issuer.certificatePem)
    write(dir, `${which}-chain.pem`, issuer.chainPem)
  }
})

/** Issues a leaf and writes `<name>.pem`. */
const leafFile = async (which: Which, name: string): Promise<string> => {
  const leaf = await run(issueLeafWithGeneratedKey({ issuer: issuerOf(which), commonName: name, settings: SETTINGS }))
  write(dir, `${name}.pem`, leaf.certificatePem)
  return leaf.serialNumber
}

/** `openssl ocsp -reqout` for one leaf. */
const request = (which: Which, leaf: string, extra: ReadonlyArray<string> = []): Uint8Array => {
  const out = `${leaf}-${extra.join("")}-req.der`
  opensslOk(dir, ["ocsp", "-issuer", `${which}-issuer.pem`, ...extra, "-cert", `${leaf}.pem`, "-reqout", out])
  return read(dir, out)
}

/**
 * Checks a response with openssl: signature and chain, and the status of `leaf`. With `-cert`
 * openssl builds its own request (and nonce), so the nonce is not compared here (`-no_nonce`).
 */
const check = (which: Which, leaf: string, response: Uint8Array): string => {
  write(dir, `${leaf}-resp.der`, response)
  return opensslOk(dir, [
    "ocsp",
    "-respin",
    `${leaf}-resp.der`,
    "-issuer",
    `${which}-issuer.pem`,
    "-no_nonce",
    "-cert",
    `${leaf}.pem`,
    "-CAfile",
    `${which}-chain.pem`,
    "-resp_text",
  ]).output
}

/** Checks a response against the request file it answers: signature, chain and nonce. */
const checkAgainstRequest = (which: Which, requestFile: string, response: Uint8Array): string => {
  write(dir, `${requestFile}.resp.der`, response)
  return opensslOk(dir, [
    "ocsp",
    "-reqin",
    requestFile,
    "-respin",
    `${requestFile}.resp.der`,
    "-issuer",
    `${which}-issuer.pem`,
    "-CAfile",
    `${which}-chain.pem`,
    "-resp_text",
  ]).output
}

const answer = (which: Which, requestDer: Uint8Array, status: (serial: string) => OcspCertStatus) =>
  run(
    respondToOcsp({
      issuer: issuerOf(which),
      requestDer,
      lookup: (serial) => Effect.succeed(status(serial)),
    }),
  )

describe.each(["intermediate", "root", "rsa"] as const)("OCSP with the %s issuer", (which) => {
  it("good, with the nonce echoed; openssl verifies the response", async () => {
    const leaf = `${which}-good`
    const serial = await leafFile(which, leaf)
    const req = request(which, leaf)
    const parsed = Either.getOrThrow(parseOcspRequest(req))
    expect(parsed.certIds).toHaveLength(1)
    expect(parsed.certIds[0]?.serialHex).toBe(serial)
    expect(parsed.nonce).toBeDefined()
    const seen: Array<string> = []
    const result = await answer(which, req, (s) => {
      seen.push(s)
      return OcspStatus.good
    })
    expect(result.responseStatus).toBe("successful")
    expect(seen).toEqual([serial])
    write(dir, `${leaf}-req.der`, req)
    const withNonce = checkAgainstRequest(which, `${leaf}-req.der`, result.der)
    expect(withNonce).toContain("Response verify OK")
    expect(withNonce).toContain("Cert Status: good")
    expect(withNonce).not.toContain("WARNING: no nonce in response")
    expect(withNonce).not.toContain("Nonce Verify error")
    // the echoed nonce is the request's, byte for byte
    const nonceHex = hex(parsed.nonce ?? new Uint8Array(0)).toUpperCase()
    expect(withNonce.replace(/[\s:]/g, "")).toContain(nonceHex)
    const text = check(which, leaf, result.der)
    expect(text).toContain("Response verify OK")
    expect(text).toContain(`${leaf}.pem: good`)
    expect(text).toContain("OCSP Response Status: successful (0x0)")
    expect(text).toContain("Response Type: Basic OCSP Response")
    expect(text).toContain("Responder Id: ")
    expect(text).toContain("OCSP Nonce")
    expect(text).toContain(`Signature Algorithm: ${which === "rsa" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256"}`)
    // nextUpdate is thisUpdate + 1 h
    const thisUpdate = text.match(/This Update: (.+)\n/)?.[1]
    const nextUpdate = text.match(/Next Update: (.+)\n/)?.[1]
    expect(Date.parse(nextUpdate ?? "") - Date.parse(thisUpdate ?? "")).toBe(3_600_000)
  })

  it("revoked with time and reason; unknown; no nonce when none was sent", async () => {
    const leaf = `${which}-revoked`
    await leafFile(which, leaf)
    const req = request(which, leaf, ["-no_nonce"])
    expect(Either.getOrThrow(parseOcspRequest(req)).nonce).toBeUndefined()
    const revokedAt = new Date("2026-05-04T03:02:01Z")
    const revoked = await answer(which, req, () => OcspStatus.revoked(revokedAt, "unspecified"))
    const text = check(which, leaf, revoked.der)
    expect(text).toContain("Response verify OK")
    expect(text).toContain(`${leaf}.pem: revoked`)
    expect(text).toContain("Revocation Time: May  4 03:02:01 2026 GMT")
    expect(text).toContain("Reason: unspecified")
    expect(text).not.toContain("OCSP Nonce")

    const unknown = await answer(which, req, () => OcspStatus.unknown)
    expect(check(which, leaf, unknown.der)).toContain(`${leaf}.pem: unknown`)
  })
})

describe("OCSP matching", () => {
  it("an issuer-hash mismatch is unknown without a lookup", async () => {
    await leafFile("root", "foreign")
    // a request that names the root-issued leaf but is sent to the intermediate issuer
    const req = request("root", "foreign")
    const parsed = Either.getOrThrow(parseOcspRequest(req))
    const certId = parsed.certIds[0]
    if (certId === undefined) throw new Error("no CertID")
    expect(certIdMatchesIssuer(issuerOf("intermediate"), certId)).toBe(false)
    expect(certIdMatchesIssuer(issuerOf("root"), certId)).toBe(true)
    const seen: Array<string> = []
    const result = await run(
      respondToOcsp({
        issuer: issuerOf("intermediate"),
        requestDer: req,
        lookup: (serial) =>
          Effect.sync(() => {
            seen.push(serial)
            return OcspStatus.good
          }),
      }),
    )
    expect(seen).toEqual([])
    write(dir, "mismatch-resp.der", result.der)
    const text = opensslOk(dir, ["ocsp", "-respin", "mismatch-resp.der", "-resp_text", "-noverify"]).stdout
    expect(text).toContain("Cert Status: unknown")
  })

  it("SHA-256 CertIDs are answered, or unknown when the reference behaviour is asked for", async () => {
    const leaf = "sha256-leaf"
    await leafFile("intermediate", leaf)
    const req = request("intermediate", leaf, ["-sha256"])
    const parsed = Either.getOrThrow(parseOcspRequest(req))
    expect(parsed.certIds[0]?.hashAlgorithm).toBe("2.16.840.1.101.3.4.2.1")
    const good = await answer("intermediate", req, () => OcspStatus.good)
    write(dir, `${leaf}-resp.der`, good.der)
    const text = opensslOk(dir, [
      "ocsp",
      "-respin",
      `${leaf}-resp.der`,
      "-issuer",
      "intermediate-issuer.pem",
      "-no_nonce",
      "-sha256",
      "-cert",
      `${leaf}.pem`,
      "-CAfile",
      "intermediate-chain.pem",
    ]).output
    expect(text).toContain("Response verify OK")
    expect(text).toContain(`${leaf}.pem: good`)
    const strict = await run(
      respondToOcsp({
        issuer: issuerOf("intermediate"),
        requestDer: req,
        lookup: () => Effect.succeed(OcspStatus.good),
        acceptSha256CertIds: false,
      }),
    )
    write(dir, "strict-resp.der", strict.der)
    expect(opensslOk(dir, ["ocsp", "-respin", "strict-resp.der", "-resp_text", "-noverify"]).stdout).toContain(
      "Cert Status: unknown",
    )
  })

  it("several CertIDs in one request, responder by name, nonce echo off", async () => {
    const a = await leafFile("intermediate", "multi-a")
    const b = await leafFile("intermediate", "multi-b")
    opensslOk(dir, [
      "ocsp",
      "-issuer",
      "intermediate-issuer.pem",
      "-cert",
      "multi-a.pem",
      "-cert",
      "multi-b.pem",
      "-reqout",
      "multi-req.der",
    ])
    const req = read(dir, "multi-req.der")
    const statuses: Record<string, OcspCertStatus> = { [a]: OcspStatus.good, [b]: OcspStatus.revoked(new Date()) }
    const result = await run(
      respondToOcsp({
        issuer: issuerOf("intermediate"),
        requestDer: req,
        lookup: (serial) => Effect.succeed(statuses[serial] ?? OcspStatus.unknown),
        responderId: "byName",
        echoNonce: false,
      }),
    )
    write(dir, "multi-resp.der", result.der)
    const text = opensslOk(dir, [
      "ocsp",
      "-respin",
      "multi-resp.der",
      "-reqin",
      "multi-req.der",
      "-issuer",
      "intermediate-issuer.pem",
      "-cert",
      "multi-a.pem",
      "-cert",
      "multi-b.pem",
      "-CAfile",
      "intermediate-chain.pem",
      "-resp_text",
    ]).output
    expect(text).toContain("Response verify OK")
    expect(text).toContain("multi-a.pem: good")
    expect(text).toContain("multi-b.pem: revoked")
    expect(text).toContain("Responder Id: O = Atom Development, CN = Atom Development Intermediate CA")
    expect(text).toContain("WARNING: no nonce in response")
  })
})

describe("malformed and failed requests", () => {
  const malformed = async (body: Uint8Array): Promise<OcspMalformedRequest> => {
    const parsed = parseOcspRequest(body)
    expect(Either.isLeft(parsed)).toBe(true)
    const result = await run(
      respondToOcsp({
        issuer: issuerOf("intermediate"),
        requestDer: body,
        lookup: () => Effect.succeed(OcspStatus.good),
      }),
    )
    expect(result.responseStatus).toBe("malformedRequest")
    expect(hex(result.der)).toBe("30030a0101")
    if (!(result.failure instanceof OcspMalformedRequest)) throw new Error("expected OcspMalformedRequest")
    return result.failure
  }

  it("garbage, empty, truncated, trailing bytes, oversize and empty request lists", async () => {
    await malformed(new TextEncoder().encode("xyz"))
    expect((await malformed(new Uint8Array(0))).reason).toBe("empty request")
    await leafFile("intermediate", "shape")
    const req = request("intermediate", "shape")
    expect((await malformed(req.subarray(0, req.length - 1))).reason).toMatch(/truncated/)
    expect((await malformed(Uint8Array.from([...req, 0]))).reason).toMatch(/trailing/)
    expect((await malformed(new Uint8Array(70_000).fill(0x30))).reason).toMatch(/larger than/)
    // SEQUENCE { SEQUENCE { SEQUENCE {} } }: a TBSRequest with an empty requestList
    expect((await malformed(Uint8Array.of(0x30, 0x04, 0x30, 0x02, 0x30, 0x00))).reason).toBe("empty requestList")
    // indefinite length (BER, not DER)
    await malformed(Uint8Array.of(0x30, 0x80, 0x00, 0x00))
    // random bytes never throw
    for (let i = 0; i < 500; i++) {
      const junk = crypto.getRandomValues(new Uint8Array(1 + (i % 200)))
      junk[0] = 0x30
      expect(() => parseOcspRequest(junk)).not.toThrow()
    }
    // every prefix of a real request is refused
    for (let end = 0; end < req.length; end++) expect(Either.isLeft(parseOcspRequest(req.subarray(0, end)))).toBe(true)
    // and openssl reads the unsuccessful responses
    write(dir, "malformed.der", ocspUnsuccessfulResponse("malformedRequest"))
    expect(openssl(dir, ["ocsp", "-respin", "malformed.der", "-resp_text"]).output).toContain(
      "Responder Error: malformedrequest (1)",
    )
    write(dir, "internal.der", ocspUnsuccessfulResponse("internalError"))
    expect(openssl(dir, ["ocsp", "-respin", "internal.der", "-resp_text"]).output).toContain(
      "Responder Error: internalerror (2)",
    )
  })

  it("a failing lookup gives internalError", async () => {
    await leafFile("intermediate", "lookup-fails")
    const req = request("intermediate", "lookup-fails")
    const result = await run(
      respondToOcsp({
        issuer: issuerOf("intermediate"),
        requestDer: req,
        lookup: () => Effect.fail("db down" as const),
      }),
    )
    expect(result.responseStatus).toBe("internalError")
    expect(result.failure).toBe("db down")
    expect(hex(result.der)).toBe("30030a0102")
  })
})

describe("OCSP speed", () => {
  it("parse + sign per request (measured, not asserted)", async () => {
    await leafFile("intermediate", "speed")
    const req = request("intermediate", "speed")
    for (const which of ["intermediate", "rsa"] as const) {
      const issuer = issuerOf(which)
      const parsed = Either.getOrThrow(parseOcspRequest(req))
      const responses = parsed.certIds.map((certId) => ({ certId, status: OcspStatus.good }))
      await run(buildOcspResponse({ issuer, responses, nonce: parsed.nonce }))
      const count = 1000
      const started = performance.now()
      for (let i = 0; i < count; i++) {
        await run(respondToOcsp({ issuer, requestDer: req, lookup: () => Effect.succeed(OcspStatus.good) }))
      }
      const elapsed = performance.now() - started
      console.log(
        `OCSP parse+build+sign (${which === "rsa" ? "RSA-2048" : "P-256"} issuer): ${((elapsed / count) * 1000).toFixed(0)} µs each, ${((count / elapsed) * 1000).toFixed(0)}/s`,
      )
    }
  })
})
