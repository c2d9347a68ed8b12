import { Effect, Either } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import {
  type GeneratedKeyType,
  generateDevCaLayouts,
  InvalidCertificateRequest,
  InvalidCsr,
  type Issuer,
  issueLeafFromCsr,
  issueLeafWithGeneratedKey,
  LEAF_CLOCK_SKEW_SECS,
  leafValidity,
  loadIssuer,
  PkiInternalError,
  parseCsr,
  pemDecode,
} from "../../src/pki/index.js"
import { openssl, opensslOk, read, readText, run, runFailure, SETTINGS, tempDir, write } from "./support.js"

interface Setup {
  readonly dir: string
  readonly intermediate: Issuer
  readonly root: Issuer
}

const setups = new Map<GeneratedKeyType, Setup>()

beforeAll(async () => {
  for (const keyType of ["P-256", "P-384", "RSA-2048"] as const) {
    const layouts = await run(generateDevCaLayouts({ keyType }))
    const dir = tempDir()
    write(dir, "root.pem", layouts.ca.rootCertPem)
    write(dir, "int.pem", layouts.ca.intermediateCertPem)
    setups.set(keyType, {
      dir,
      intermediate: await run(loadIssuer(layouts.intermediate)),
      root: await run(loadIssuer(layouts.root)),
    })
  }
})

const setup = (keyType: GeneratedKeyType): Setup => {
  const found = setups.get(keyType)
  if (found === undefined) throw new Error(`no CA for ${keyType}`)
  return found
}

/** `openssl verify` of a leaf against the CA of the issuer's mode. */
const verifyLeaf = (dir: string, issuer: Issuer, leafFile: string): string => {
  const args =
    issuer.kind === "intermediate"
      ? ["verify", "-CAfile", "root.pem", "-untrusted", "int.pem", leafFile]
      : ["verify", "-CAfile", "root.pem", leafFile]
  return openssl(dir, args).output
}

const SCHEME_TEXT: Record<GeneratedKeyType, string> = {
  "P-256": "ecdsa-with-SHA256",
  "P-384": "ecdsa-with-SHA384",
  "RSA-2048": "sha256WithRSAEncryption",
  "RSA-3072": "sha256WithRSAEncryption",
}

describe.each(["P-256", "P-384", "RSA-2048"] as const)("leaves from a %s CA", (keyType) => {
  for (const mode of ["intermediate", "root"] as const) {
    it(`${mode} mode: a generated key leaf verifies with openssl and carries the spec's extensions`, async () => {
      const { dir, ...issuers } = setup(keyType)
      const issuer = issuers[mode]
      const before = Date.now()
      const leaf = await run(
        issueLeafWithGeneratedKey({
          issuer,
          commonName: "d",
          dnsNames: ["d.local", "10.1.2.3"],
          ipAddresses: ["2001:db8::1"],
          ttlSecs: 3600,
          settings: SETTINGS,
        }),
      )
      const name = `leaf-${mode}.pem`
      write(dir, name, leaf.certificatePem)
      write(dir, `leaf-${mode}.key`, leaf.privateKeyPem)
      expect(verifyLeaf(dir, issuer, name)).toContain(`${name}: OK`)

      const text = opensslOk(dir, ["x509", "-in", name, "-noout", "-text"]).stdout
      expect(text).toContain("Subject: CN = d\n")
      expect(text).toContain(`Signature Algorithm: ${SCHEME_TEXT[keyType]}`)
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/)
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/)
      expect(text).toMatch(
        /X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication\n/,
      )
      expect(text).toMatch(
        /X509v3 Subject Alternative Name:\s+DNS:d.local, IP Address:10.1.2.3, IP Address:2001:DB8:0:0:0:0:0:1\n/,
      )
      expect(text).toContain("X509v3 Subject Key Identifier")
      const aki = Buffer.from(issuer.keyIdentifier).toString("hex").toUpperCase().match(/../g)?.join(":")
      expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${aki}`))
      expect(text).toContain("ASN1 OID: prime256v1")

      // serial, fingerprint and key as openssl reads them
      expect(leaf.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/)
      expect(leaf.serialNumber.startsWith("00")).toBe(false)
      const serial = opensslOk(dir, ["x509", "-in", name, "-noout", "-serial"]).stdout.trim()
      expect(serial).toBe(`serial=${leaf.serialNumber.toUpperCase()}`)
      const fingerprint = opensslOk(dir, ["x509", "-in", name, "-noout", "-fingerprint", "-sha256"]).stdout
      expect(fingerprint.trim().split("=")[1]?.replace(/:/g, "").toLowerCase()).toBe(leaf.fingerprintSha256)
      expect(leaf.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
      const fromKey = opensslOk(dir, ["pkey", "-in", `leaf-${mode}.key`, "-pubout"]).stdout
      const fromCert = opensslOk(dir, ["x509", "-in", name, "-noout", "-pubkey"]).stdout
      expect(fromKey).toBe(fromCert)

      // validity: notBefore = now − 300 s, notAfter = now + TTL, whole seconds
      const nowSecs = Math.floor(before / 1000) * 1000
      expect(Math.abs(leaf.notBefore.getTime() - (nowSecs - LEAF_CLOCK_SKEW_SECS * 1000))).toBeLessThanOrEqual(2000)
      expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe((3600 + LEAF_CLOCK_SKEW_SECS) * 1000)
      expect(leaf.dnsNames).toEqual(["d.local", "10.1.2.3"])
      expect(leaf.ipAddresses).toEqual(["2001:db8::1"])
      expect(leaf.issuedFromCsr).toBe(false)
    })

    it(`${mode} mode: a CSR leaf keeps the subject, SANs and key and overrides KU/EKU`, async () => {
      const { dir, ...issuers } = setup(keyType)
      const issuer = issuers[mode]
      opensslOk(dir, [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "csr.key",
        "-out",
        "csr.pem",
        "-subj",
        "/C=US/O=Acme/CN=csr-device",
        "-addext",
        "subjectAltName=DNS:csr-device.local,IP:192.0.2.7,URI:spiffe://acme/device",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-addext",
        "extendedKeyUsage=codeSigning",
      ])
      const leaf = await run(
        issueLeafFromCsr({ issuer, csr: readText(dir, "csr.pem"), ttlSecs: 600, settings: SETTINGS }),
      )
      const name = `csr-leaf-${mode}.pem`
      write(dir, name, leaf.certificatePem)
      expect(verifyLeaf(dir, issuer, name)).toContain(`${name}: OK`)
      const text = opensslOk(dir, ["x509", "-in", name, "-noout", "-text"]).stdout
      expect(text).toContain("Subject: C = US, O = Acme, CN = csr-device\n")
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/)
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/)
      expect(text).toMatch(
        /X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication\n/,
      )
      expect(text).not.toContain("Code Signing")
      expect(text).not.toContain("Certificate Sign")
      expect(text).toMatch(/DNS:csr-device.local, IP Address:192.0.2.7, URI:spiffe:\/\/acme\/device/)
      const fromKey = opensslOk(dir, ["pkey", "-in", "csr.key", "-pubout"]).stdout
      const fromCert = opensslOk(dir, ["x509", "-in", name, "-noout", "-pubkey"]).stdout
      expect(fromCert).toBe(fromKey)
      expect(leaf.issuedFromCsr).toBe(true)
      expect(leaf.csr.subject).toBe("C=US, O=Acme, CN=csr-device")
      expect(leaf.csr.dnsNames).toEqual(["csr-device.local"])
      expect(leaf.csr.ipAddresses).toEqual(["192.0.2.7"])
      expect(leaf.csr.requestedKeyUsage).toEqual(new Set(["keyCertSign", "cRLSign"]))
      expect(leaf.csr.requestedExtendedKeyUsage).toEqual(["1.3.6.1.5.5.7.3.3"])
    })
  }
})

describe("CSRs", () => {
  let dir: string
  beforeAll(() => {
    dir = tempDir()
  })

  const makeCsr = (name: string, keyArgs: ReadonlyArray<string>, extra: ReadonlyArray<string> = []): string => {
    opensslOk(dir, ["req", "-new", ...keyArgs, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, ...extra])
    return readText(dir, `${name}.pem`)
  }
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]

  const csrFailure = async (csr: string | Uint8Array): Promise<InvalidCsr> => {
    const error = await runFailure(parseCsr(csr))
    expect(error).toBeInstanceOf(InvalidCsr)
    expect(error.message).toBe("invalid CSR")
    return error
  }

  it("accepts RSA, P-384 and Ed25519 requests, PEM or DER, with an empty subject and SANs", async () => {
    const { intermediate } = setup("P-256")
    for (const [name, keyArgs] of [
      ["rsa", ["-newkey", "rsa:2048"]],
      ["p384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]],
      ["ed25519", ["-newkey", "ed25519"]],
    ] as const) {
      const pem = makeCsr(name, keyArgs, ["-subj", `/CN=${name}-device`])
      const leaf = await run(issueLeafFromCsr({ issuer: intermediate, csr: pem, settings: SETTINGS }))
      write(dir, `${name}-leaf.pem`, leaf.certificatePem)
      write(dir, "chain.pem", intermediate.chainPem)
      expect(openssl(dir, ["verify", "-CAfile", "chain.pem", `${name}-leaf.pem`]).output).toContain(
        `${name}-leaf.pem: OK`,
      )
      expect(leaf.csr.commonName).toBe(`${name}-device`)
    }
    opensslOk(dir, ["req", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.der"])
    expect((await run(parseCsr(read(dir, "rsa.der")))).keyAlgorithm).toEqual({ kind: "rsa" })

    const empty = makeCsr("empty", ec, ["-subj", "/", "-addext", "subjectAltName=DNS:only-san.local"])
    const leaf = await run(issueLeafFromCsr({ issuer: intermediate, csr: empty, settings: SETTINGS }))
    write(dir, "empty-leaf.pem", leaf.certificatePem)
    const text = opensslOk(dir, ["x509", "-in", "empty-leaf.pem", "-noout", "-text"]).stdout
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+DNS:only-san.local/)
  })

  it("refuses a CSR whose signature does not verify", async () => {
    const pem = makeCsr("tampered", ec, ["-subj", "/CN=tampered"])
    const der = Either.getOrThrow(pemDecode(pem)).der
    // flip a byte of the subject: the signature no longer covers it
    const index = Buffer.from(der).indexOf(Buffer.from("tampered"))
    der[index] = 0x54
    expect((await csrFailure(der)).reason).toBe("CSR signature does not verify")
    // and a byte of the signature itself
    const der2 = Either.getOrThrow(pemDecode(pem)).der
    der2[der2.length - 3] = (der2[der2.length - 3] ?? 0) ^ 0x01
    expect((await csrFailure(der2)).reason).toMatch(/signature does not verify|malformed/)
  })

  it("refuses basicConstraints (CA:true or not) and any extension beyond SAN/KU/EKU", async () => {
    const ca = makeCsr("ca", ec, ["-subj", "/CN=wants-ca", "-addext", "basicConstraints=critical,CA:true"])
    expect((await csrFailure(ca)).reason).toBe("CSR requests basicConstraints (a CSR may not ask for CA rights)")
    const notCa = makeCsr("notca", ec, ["-subj", "/CN=not-ca", "-addext", "basicConstraints=CA:false"])
    expect((await csrFailure(notCa)).reason).toMatch(/basicConstraints/)
    const ski = makeCsr("ski", ec, ["-subj", "/CN=ski", "-addext", "subjectKeyIdentifier=hash"])
    expect((await csrFailure(ski)).reason).toBe("CSR requests subjectKeyIdentifier")
    const other = makeCsr("other", ec, ["-subj", "/CN=other", "-addext", "1.2.3.4=ASN1:UTF8String:hello"])
    expect((await csrFailure(other)).reason).toBe("CSR requests 1.2.3.4")
    const dirName = makeCsr("dirname", ec, ["-subj", "/CN=dirname", "-addext", "subjectAltName=RID:1.2.3.4"])
    expect((await csrFailure(dirName)).reason).toMatch(/subjectAltName may only hold/)
    // the issuance path says the same, after the TTL checks
    const { intermediate } = setup("P-256")
    const error = await runFailure(issueLeafFromCsr({ issuer: intermediate, csr: ca, settings: SETTINGS }))
    expect(error).toBeInstanceOf(InvalidCsr)
    const ttlFirst = await runFailure(
      issueLeafFromCsr({ issuer: intermediate, csr: ca, ttlSecs: 0, settings: SETTINGS }),
    )
    expect(ttlFirst).toBeInstanceOf(InvalidCertificateRequest)
  })

  it("refuses garbage", async () => {
    expect((await csrFailure("garbage")).reason).toMatch(/not a PEM CERTIFICATE REQUEST/)
    await csrFailure("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
    await csrFailure(Uint8Array.of(0x30, 0x82, 0xff))
    await csrFailure(new Uint8Array(0))
    const pem = makeCsr("truncated", ec, ["-subj", "/CN=t"])
    const der = Either.getOrThrow(pemDecode(pem)).der
    expect((await csrFailure(der.subarray(0, der.length - 1))).reason).toMatch(/malformed CSR/)
    const { intermediate } = setup("P-256")
    const cert = await run(issueLeafWithGeneratedKey({ issuer: intermediate, commonName: "x", settings: SETTINGS }))
    await csrFailure(cert.certificatePem)
  })
})

describe("TTL and validity rules", () => {
  const issuerNotAfter = new Date("2030-01-01T00:00:00Z")
  const now = new Date("2029-12-01T00:00:00.750Z")

  it("defaults, bounds and the issuer's notAfter", () => {
    const ok = leafValidity({
      ttlSecs: undefined,
      settings: { defaultTtlSecs: 60, maxTtlSecs: 120 },
      issuerNotAfter,
      now,
    })
    expect(ok).toEqual(
      Either.right({
        ttlSecs: 60,
        notBefore: new Date("2029-11-30T23:55:00Z"),
        notAfter: new Date("2029-12-01T00:01:00Z"),
      }),
    )
    const message = (ttlSecs: number | undefined, settings = SETTINGS): string | undefined => {
      const result = leafValidity({ ttlSecs, settings, issuerNotAfter, now })
      return Either.isLeft(result) ? result.left.message : undefined
    }
    expect(message(0)).toBe("certificate TTL must be greater than zero")
    expect(message(-5)).toBe("certificate TTL must be greater than zero")
    expect(message(SETTINGS.maxTtlSecs + 1)).toBe("certificate TTL exceeds ATOM_CERTS_LEAF_MAX_TTL_SECS (2592000)")
    expect(message(SETTINGS.maxTtlSecs)).toBeUndefined()
    expect(message(100, { defaultTtlSecs: 10, maxTtlSecs: 99 })).toBe(
      "certificate TTL exceeds ATOM_CERTS_LEAF_MAX_TTL_SECS (99)",
    )
    // 31 days to the issuer's end: exactly up to it is fine, one second more is not
    expect(message(31 * 86_400)).toBe("certificate TTL exceeds ATOM_CERTS_LEAF_MAX_TTL_SECS (2592000)")
    expect(message(31 * 86_400 + 1, { defaultTtlSecs: 1, maxTtlSecs: 40 * 86_400 })).toBe(
      "requested certificate validity exceeds active issuer CA validity",
    )
    expect(message(31 * 86_400, { defaultTtlSecs: 1, maxTtlSecs: 40 * 86_400 })).toBeUndefined()
  })

  it("issuance applies them", async () => {
    const { intermediate } = setup("P-256")
    const error = await runFailure(
      issueLeafWithGeneratedKey({ issuer: intermediate, commonName: "x", ttlSecs: 0, settings: SETTINGS }),
    )
    expect(error).toBeInstanceOf(InvalidCertificateRequest)
    expect(error.message).toBe("certificate TTL must be greater than zero")
    const far = await runFailure(
      issueLeafWithGeneratedKey({
        issuer: intermediate,
        commonName: "x",
        ttlSecs: 100,
        settings: SETTINGS,
        now: new Date(intermediate.notAfter.getTime() - 50_000),
      }),
    )
    expect(far.message).toBe("requested certificate validity exceeds active issuer CA validity")
  })

  it("a non-ASCII DNS name is an internal error; IPs are recognised wherever they are listed", async () => {
    const { intermediate } = setup("P-256")
    const error = await runFailure(
      issueLeafWithGeneratedKey({
        issuer: intermediate,
        commonName: "x",
        dnsNames: ["bücher.example"],
        settings: SETTINGS,
      }),
    )
    expect(error).toBeInstanceOf(PkiInternalError)
    expect(error.message).toBe("internal error")
    const leaf = await run(
      issueLeafWithGeneratedKey({
        issuer: intermediate,
        commonName: "x",
        dnsNames: ["::1"],
        ipAddresses: ["not-an-ip", "01.2.3.4"],
        settings: SETTINGS,
      }),
    )
    expect(leaf.subjectAltNames.map((name) => name._tag)).toEqual(["ip", "dns", "dns"])
  })
})

describe("throughput", () => {
  it("issues leaves with fresh P-256 keys (measured, not asserted)", async () => {
    for (const keyType of ["P-256", "RSA-2048"] as const) {
      const { intermediate } = setup(keyType)
      const count = 300
      const issue = issueLeafWithGeneratedKey({
        issuer: intermediate,
        commonName: "bench",
        dnsNames: ["bench.local"],
        settings: SETTINGS,
      })
      await run(issue)
      const started = performance.now()
      await run(
        Effect.all(
          Array.from({ length: count }, () => issue),
          { concurrency: 1 },
        ),
      )
      const sequential = performance.now() - started
      const startedParallel = performance.now()
      await run(
        Effect.all(
          Array.from({ length: count }, () => issue),
          { concurrency: 16 },
        ),
      )
      const parallel = performance.now() - startedParallel
      console.log(
        `leaf issuance (${keyType} issuer, P-256 leaf keys): ${((count / sequential) * 1000).toFixed(0)}/s sequential, ` +
          `${((count / parallel) * 1000).toFixed(0)}/s with 16 in flight (${(sequential / count).toFixed(2)} ms each)`,
      )
      const csrDir = tempDir()
      opensslOk(csrDir, [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-subj",
        "/CN=bench",
      ])
      const csr = await run(parseCsr(readText(csrDir, "c.pem")))
      const startedCsr = performance.now()
      await run(
        Effect.all(
          Array.from({ length: count }, () => issueLeafFromCsr({ issuer: intermediate, csr, settings: SETTINGS })),
          { concurrency: 1 },
        ),
      )
      const csrElapsed = performance.now() - startedCsr
      console.log(
        `CSR issuance (${keyType} issuer, pre-parsed CSR): ${((count / csrElapsed) * 1000).toFixed(0)}/s sequential`,
      )
    }
  })
})
