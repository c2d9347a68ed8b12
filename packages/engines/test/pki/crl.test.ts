import { beforeAll, describe, expect, it } from "vitest"
import {
  buildCrl,
  type CrlEntry,
  generateDevCaLayouts,
  generateSerial,
  InvalidSerialNumber,
  type Issuer,
  issueLeafWithGeneratedKey,
  loadIssuer,
} from "../../src/pki/index.js"
import { openssl, opensslOk, run, runFailure, SETTINGS, tempDir, write } from "./support.js"

let dir: string
const issuerMap = new Map<"intermediate" | "root" | "rsa", Issuer>()
const issuers = {
  get intermediate(): Issuer {
    return issuerOf("intermediate")
  },
  get root(): Issuer {
    return issuerOf("root")
  },
  get rsa(): Issuer {
    return issuerOf("rsa")
  },
}
const issuerOf = (which: "intermediate" | "root" | "rsa"): Issuer => {
  const issuer = issuerMap.get(which)
  if (issuer === undefined) throw new Error(`no ${which} issuer`)
  return issuer
}

beforeAll(async () => {
  dir = tempDir()
  const layouts = await run(generateDevCaLayouts())
  write(dir, "root.pem", layouts.ca.rootCertPem)
  write(dir, "int.pem", layouts.ca.intermediateCertPem)
  issuerMap.set("intermediate", await run(loadIssuer(layouts.intermediate)))
  issuerMap.set("root", await run(loadIssuer(layouts.root)))
  const rsa = await run(generateDevCaLayouts({ keyType: "RSA-2048" }))
  write(dir, "rsa-root.pem", rsa.ca.rootCertPem)
  write(dir, "rsa-int.pem", rsa.ca.intermediateCertPem)
  issuerMap.set("rsa", await run(loadIssuer(rsa.intermediate)))
})

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (n: number): string => String(n).padStart(2, "0")
/** openssl's `Mar  1 12:00:00 2026 GMT`. */
const opensslDate = (d: Date): string =>
  `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`

const issuerFile = { intermediate: "int.pem", root: "root.pem", rsa: "rsa-int.pem" } as const

describe.each(["intermediate", "root", "rsa"] as const)("CRL signed by the %s issuer", (which) => {
  it("verifies with openssl and lists the serials, dates, reasons, number and AKI", async () => {
    const issuer = issuers[which]
    const revokedLeaf = await run(issueLeafWithGeneratedKey({ issuer, commonName: "revoked", settings: SETTINGS }))
    const goodLeaf = await run(issueLeafWithGeneratedKey({ issuer, commonName: "good", settings: SETTINGS }))
    const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000 + 400)
    const entries: ReadonlyArray<CrlEntry> = [
      { serialNumber: revokedLeaf.serialNumber, revokedAt: new Date("2026-02-01T10:00:00Z"), reason: "unspecified" },
      { serialNumber: "AB:CD 01", revokedAt: new Date("2026-02-02T10:00:00Z"), reason: "keyCompromise" },
      { serialNumber: "00ff", revokedAt: new Date("2051-01-01T00:00:00Z"), reason: "superseded" },
      { serialNumber: "0a", revokedAt: new Date("2026-02-03T10:00:00Z") },
    ]
    const der = await run(buildCrl({ issuer, crlNumber: 42, thisUpdate, entries }))
    const file = `${which}.crl.der`
    write(dir, file, der)
    const verify = opensslOk(dir, [
      "crl",
      "-inform",
      "DER",
      "-in",
      file,
      "-CAfile",
      issuerFile[which],
      "-noout",
      "-verify",
    ])
    expect(verify.output).toContain("verify OK")
    const text = opensslOk(dir, ["crl", "-inform", "DER", "-in", file, "-noout", "-text"]).stdout
    expect(text).toContain("Version 2 (0x1)")
    expect(text).toContain(`Signature Algorithm: ${which === "rsa" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256"}`)
    expect(text).toMatch(/X509v3 CRL Number:\s+42\n/)
    const aki = Buffer.from(issuer.keyIdentifier).toString("hex").toUpperCase().match(/../g)?.join(":")
    expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${aki}`))
    expect(text).toContain(`Last Update: ${opensslDate(thisUpdate)}`)
    expect(text).toContain(`Next Update: ${opensslDate(new Date(thisUpdate.getTime() + 86_400_000))}`)
    const serials = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((match) => match[1])
    expect(serials).toEqual([revokedLeaf.serialNumber.toUpperCase(), "ABCD01", "FF", "0A"])
    expect(text).toContain("Revocation Date: Feb  1 10:00:00 2026 GMT")
    expect(text).toContain("Revocation Date: Jan  1 00:00:00 2051 GMT")
    const reasons = [...text.matchAll(/CRL Reason Code:\s+(.+)\n/g)].map((match) => match[1]?.trim())
    expect(reasons).toEqual(["Unspecified", "Key Compromise", "Superseded"])

    // and openssl's own revocation check agrees
    write(dir, `${which}.crl.pem`, opensslOk(dir, ["crl", "-inform", "DER", "-in", file]).stdout)
    write(dir, `${which}-revoked.pem`, revokedLeaf.certificatePem)
    write(dir, `${which}-good.pem`, goodLeaf.certificatePem)
    write(dir, `${which}-chain.pem`, issuer.chainPem)
    const check = (leaf: string) =>
      openssl(dir, ["verify", "-crl_check", "-CAfile", `${which}-chain.pem`, "-CRLfile", `${which}.crl.pem`, leaf])
        .output
    expect(check(`${which}-revoked.pem`)).toContain("certificate revoked")
    expect(check(`${which}-good.pem`)).toContain(`${which}-good.pem: OK`)
  })
})

describe("CRL edge cases", () => {
  it("an empty CRL omits revokedCertificates and still verifies; nextUpdate and big CRL numbers", async () => {
    const issuer = issuers.intermediate
    const thisUpdate = new Date()
    const der = await run(
      buildCrl({
        issuer,
        crlNumber: 2n ** 64n + 1n,
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + 3_600_000),
        entries: [],
      }),
    )
    write(dir, "empty.crl.der", der)
    const result = opensslOk(dir, [
      "crl",
      "-inform",
      "DER",
      "-in",
      "empty.crl.der",
      "-CAfile",
      "int.pem",
      "-noout",
      "-verify",
      "-text",
    ])
    expect(result.output).toContain("verify OK")
    expect(result.stdout).toContain("No Revoked Certificates.")
    expect(result.stdout).toMatch(/X509v3 CRL Number:\s+18446744073709551617\n/)
  })

  it("refuses a bad serial or CRL number", async () => {
    const issuer = issuers.intermediate
    const bad = await runFailure(
      buildCrl({
        issuer,
        crlNumber: 1,
        thisUpdate: new Date(),
        entries: [{ serialNumber: "xyz", revokedAt: new Date() }],
      }),
    )
    expect(bad).toBeInstanceOf(InvalidSerialNumber)
    expect(bad.message).toBe("invalid certificate serial number")
    const odd = await runFailure(
      buildCrl({
        issuer,
        crlNumber: 1,
        thisUpdate: new Date(),
        entries: [{ serialNumber: "abc", revokedAt: new Date() }],
      }),
    )
    expect(odd).toBeInstanceOf(InvalidSerialNumber)
    const negative = await runFailure(buildCrl({ issuer, crlNumber: -1, thisUpdate: new Date(), entries: [] }))
    expect(negative._tag).toBe("PkiInternalError")
  })

  it("100,000 entries build and sign quickly (time logged, not asserted) and openssl reads them all", async () => {
    const issuer = issuers.intermediate
    const revokedAt = Date.now() - 86_400_000
    const entries: Array<CrlEntry> = Array.from({ length: 100_000 }, (_, i) => ({
      serialNumber: generateSerial().hex,
      revokedAt: new Date(revokedAt + i * 1000),
      reason: "unspecified",
    }))
    await run(buildCrl({ issuer, crlNumber: 1, thisUpdate: new Date(), entries: entries.slice(0, 1000) }))
    const timings: Array<number> = []
    let der: Uint8Array = new Uint8Array(0)
    for (let round = 0; round < 3; round++) {
      const started = performance.now()
      der = await run(buildCrl({ issuer, crlNumber: 7, thisUpdate: new Date(), entries }))
      timings.push(performance.now() - started)
    }
    console.log(
      `CRL with 100,000 entries: ${(der.length / 1e6).toFixed(2)} MB, build+sign ${timings.map((t) => `${t.toFixed(0)} ms`).join(" / ")}`,
    )
    write(dir, "big.crl.der", der)
    const result = opensslOk(dir, [
      "crl",
      "-inform",
      "DER",
      "-in",
      "big.crl.der",
      "-CAfile",
      "int.pem",
      "-noout",
      "-verify",
      "-text",
    ])
    expect(result.output).toContain("verify OK")
    expect(result.stdout.match(/Serial Number: /g)?.length).toBe(100_000)
    expect(result.stdout).toContain(`Serial Number: ${entries[99_999]?.serialNumber.toUpperCase()}`)
  })
})
