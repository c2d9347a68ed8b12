import { type Effect, Either } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import {
  buildCrl,
  type CaCertificateOptions,
  CaMaterialError,
  type CaMaterialInput,
  checkLeafTtlSettings,
  createCaCertificate,
  type DevCa,
  devCaFiles,
  fingerprintSha256,
  type GeneratedKeyPair,
  type GeneratedKeyType,
  generateDevCaLayouts,
  generateKey,
  type IntermediateCaMaterial,
  issueLeafWithGeneratedKey,
  loadIssuer,
  missingSetting,
  pemDecodeAll,
  pemEncode,
  type RootCaMaterial,
  requiredCaSettings,
} from "../../src/pki/index.js"
import { Oid } from "../../src/pki/oids.js"
import { opensslOk, run, runFailure, tempDir, write } from "./support.js"

const DAY = 86_400_000
const now = new Date()

const caOptions = (
  commonName: string,
  key: GeneratedKeyPair,
  overrides: Partial<CaCertificateOptions> = {},
): CaCertificateOptions => ({
  subject: [{ type: Oid.commonName, value: commonName }],
  subjectKey: key,
  notBefore: new Date(now.getTime() - DAY),
  notAfter: new Date(now.getTime() + 30 * DAY),
  basicConstraints: { ca: true },
  keyUsage: ["keyCertSign", "cRLSign"],
  ...overrides,
})

const keyPem = (key: GeneratedKeyPair): string => pemEncode("PRIVATE KEY", key.pkcs8)

/** A root and an intermediate it signed, with per-certificate overrides. */
const chain = async (
  options: {
    readonly root?: Partial<CaCertificateOptions>
    readonly intermediate?: Partial<CaCertificateOptions>
    readonly keyType?: GeneratedKeyType
  } = {},
) => {
  const rootKey = await run(generateKey(options.keyType ?? "P-256"))
  const root = await run(createCaCertificate(caOptions("Test Root", rootKey, options.root)))
  const intermediateKey = await run(generateKey(options.keyType ?? "P-256"))
  const intermediate = await run(
    createCaCertificate(
      caOptions("Test Intermediate", intermediateKey, {
        issuer: { certificateSubject: root.subjectName, keyIdentifier: root.keyIdentifier, signer: rootKey.signer },
        ...options.intermediate,
      }),
    ),
  )
  return { rootKey, root, intermediateKey, intermediate }
}

const intermediateInput = (c: Awaited<ReturnType<typeof chain>>): IntermediateCaMaterial => ({
  mode: "file_intermediate_issuer",
  rootCertPem: c.root.pem,
  intermediateCertPem: c.intermediate.pem,
  intermediateKeyPem: keyPem(c.intermediateKey),
})

const rootInput = (c: Awaited<ReturnType<typeof chain>>): RootCaMaterial => ({
  mode: "file_root_issuer",
  rootCertPem: c.root.pem,
  rootKeyPem: keyPem(c.rootKey),
})

const loadError = async (input: CaMaterialInput): Promise<string> => {
  const error = await runFailure(loadIssuer(input))
  expect(error).toBeInstanceOf(CaMaterialError)
  return error.message
}

describe("loadIssuer: development CA in both layouts", () => {
  let ca: DevCa
  let layouts: Effect.Effect.Success<ReturnType<typeof generateDevCaLayouts>>
  beforeAll(async () => {
    layouts = await run(generateDevCaLayouts())
    ca = layouts.ca
  })

  it("intermediate mode signs with the intermediate and publishes intermediate + root", async () => {
    const issuer = await run(loadIssuer(layouts.intermediate))
    expect(issuer.kind).toBe("intermediate")
    expect(issuer.mode).toBe("file_intermediate_issuer")
    expect(issuer.subject).toBe("O=Atom Development, CN=Atom Development Intermediate CA")
    const blocks = Either.getOrThrow(pemDecodeAll(issuer.chainPem))
    expect(blocks).toHaveLength(2)
    expect(Buffer.from(blocks[0]?.der ?? []).equals(Buffer.from(issuer.certificateDer))).toBe(true)
    expect(issuer.fingerprintSha256).toBe(fingerprintSha256(issuer.certificateDer))
    expect(issuer.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(issuer.serialNumber).toMatch(/^[0-9a-f]{32}$/)
    expect(issuer.signatureScheme.name).toBe("ecdsa-with-SHA256")
    expect(issuer.signingKey.extractable).toBe(false)
    expect(issuer.nameHashSha1).toHaveLength(20)
    expect(issuer.keyHashSha1).toHaveLength(20)
    expect(issuer.nameHashSha256).toHaveLength(32)
    // about ten years
    expect(issuer.notAfter.getTime() - Date.now()).toBeGreaterThan(3649 * DAY)
  })

  it("root mode signs with the root and publishes the root alone", async () => {
    const issuer = await run(loadIssuer(layouts.root))
    expect(issuer.kind).toBe("root")
    expect(issuer.subject).toBe("O=Atom Development, CN=Atom Development Root CA")
    expect(Either.getOrThrow(pemDecodeAll(issuer.chainPem))).toHaveLength(1)
  })

  it("openssl agrees on the chain, the fingerprint and the serial", async () => {
    const dir = tempDir()
    for (const [name, content] of Object.entries(devCaFiles(ca))) write(dir, name, content)
    const verify = opensslOk(dir, ["verify", "-CAfile", "root-ca.crt", "intermediate-ca.crt"])
    expect(verify.stdout).toContain("intermediate-ca.crt: OK")
    const issuer = await run(loadIssuer(layouts.intermediate))
    const fingerprint = opensslOk(dir, ["x509", "-in", "intermediate-ca.crt", "-noout", "-fingerprint", "-sha256"])
    expect(fingerprint.stdout.trim().split("=")[1]?.replace(/:/g, "").toLowerCase()).toBe(issuer.fingerprintSha256)
    const serial = opensslOk(dir, ["x509", "-in", "intermediate-ca.crt", "-noout", "-serial"])
    expect(serial.stdout.trim().split("=")[1]?.toLowerCase()).toBe(issuer.serialNumber)
    const text = opensslOk(dir, ["x509", "-in", "intermediate-ca.crt", "-noout", "-text"]).stdout
    expect(text).toContain("CA:TRUE, pathlen:0")
    expect(text).toContain("Digital Signature, Certificate Sign, CRL Sign")
    // the OpenSSL form of the key is PKCS#8 and matches
    const fromKey = opensslOk(dir, ["pkey", "-in", "intermediate-ca.key", "-pubout"]).stdout
    const fromCert = opensslOk(dir, ["x509", "-in", "intermediate-ca.crt", "-noout", "-pubkey"]).stdout
    expect(fromKey).toBe(fromCert)
  })

  it("P-384 and RSA development CAs load with their own signature schemes", async () => {
    for (const [keyType, scheme] of [
      ["P-384", "ecdsa-with-SHA384"],
      ["RSA-2048", "sha256WithRSAEncryption"],
    ] as const) {
      const other = await run(generateDevCaLayouts({ keyType }))
      expect((await run(loadIssuer(other.intermediate))).signatureScheme.name).toBe(scheme)
      expect((await run(loadIssuer(other.root))).signatureScheme.name).toBe(scheme)
    }
  })
})

describe("loadIssuer: material made by openssl", () => {
  it("loads an EC root with an RSA intermediate, and a P-384 root alone", async () => {
    const dir = tempDir()
    opensslOk(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "root.key",
      "-out",
      "root.pem",
      "-subj",
      "/C=US/O=Acme/CN=OpenSSL Root",
      "-days",
      "30",
      "-addext",
      "basicConstraints=critical,CA:true",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ])
    opensslOk(dir, [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "int.key",
      "-out",
      "int.csr",
      "-subj",
      "/CN=OpenSSL Intermediate",
    ])
    write(
      dir,
      "ext.cnf",
      "[v3_ca]\nbasicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    opensslOk(dir, [
      "x509",
      "-req",
      "-in",
      "int.csr",
      "-CA",
      "root.pem",
      "-CAkey",
      "root.key",
      "-CAcreateserial",
      "-out",
      "int.pem",
      "-days",
      "30",
      "-extfile",
      "ext.cnf",
      "-extensions",
      "v3_ca",
    ])
    const read = (name: string) => opensslOk(dir, ["x509", "-in", name]).stdout
    const readKey = (name: string) => opensslOk(dir, ["pkey", "-in", name]).stdout
    const issuer = await run(
      loadIssuer({
        mode: "file_intermediate_issuer",
        rootCertPem: read("root.pem"),
        intermediateCertPem: read("int.pem"),
        intermediateKeyPem: readKey("int.key"),
      }),
    )
    expect(issuer.keyAlgorithm).toEqual({ kind: "rsa" })
    expect(issuer.signatureScheme.name).toBe("sha256WithRSAEncryption")
    expect(issuer.subject).toBe("CN=OpenSSL Intermediate")

    opensslOk(dir, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-384",
      "-nodes",
      "-keyout",
      "root384.key",
      "-out",
      "root384.pem",
      "-subj",
      "/CN=OpenSSL P-384 Root",
      "-days",
      "30",
    ])
    const root = await run(
      loadIssuer({ mode: "file_root_issuer", rootCertPem: read("root384.pem"), rootKeyPem: readKey("root384.key") }),
    )
    expect(root.keyAlgorithm).toEqual({ kind: "ec", curve: "P-384" })
    expect(root.subject).toBe("CN=OpenSSL P-384 Root")
  })
})

describe("loadIssuer: an Ed25519 root made by openssl", () => {
  it("loads, and its leaves and CRLs verify", async () => {
    const dir = tempDir()
    opensslOk(dir, [
      "req",
      "-x509",
      "-newkey",
      "ed25519",
      "-nodes",
      "-keyout",
      "root.key",
      "-out",
      "root.pem",
      "-subj",
      "/CN=Ed25519 Root",
      "-days",
      "30",
      "-addext",
      "basicConstraints=critical,CA:true",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ])
    const issuer = await run(
      loadIssuer({
        mode: "file_root_issuer",
        rootCertPem: opensslOk(dir, ["x509", "-in", "root.pem"]).stdout,
        rootKeyPem: opensslOk(dir, ["pkey", "-in", "root.key"]).stdout,
      }),
    )
    expect(issuer.signatureScheme.name).toBe("Ed25519")
    const leaf = await run(
      issueLeafWithGeneratedKey({ issuer, commonName: "ed-leaf", settings: { defaultTtlSecs: 60, maxTtlSecs: 60 } }),
    )
    write(dir, "leaf.pem", leaf.certificatePem)
    expect(opensslOk(dir, ["verify", "-CAfile", "root.pem", "leaf.pem"]).stdout).toContain("leaf.pem: OK")
    const crl = await run(
      buildCrl({
        issuer,
        crlNumber: 1,
        thisUpdate: new Date(),
        entries: [{ serialNumber: leaf.serialNumber, revokedAt: new Date() }],
      }),
    )
    write(dir, "crl.der", crl)
    expect(
      opensslOk(dir, ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "root.pem", "-noout", "-verify"]).output,
    ).toContain("verify OK")
  })
})

describe("loadIssuer: startup check failures", () => {
  it("unreadable PEM and certificates, naming the file when given", async () => {
    const c = await chain()
    expect(await loadError({ ...intermediateInput(c), rootCertPem: "not pem" })).toBe("invalid root CA PEM")
    expect(
      await loadError({
        ...intermediateInput(c),
        intermediateCertPem: "nope",
        paths: { intermediateCert: "/etc/atom/int.pem" },
      }),
    ).toBe("invalid intermediate CA PEM at /etc/atom/int.pem")
    expect(await loadError({ ...intermediateInput(c), rootCertPem: keyPem(c.rootKey) })).toBe("invalid root CA PEM")
    expect(
      await loadError({
        ...intermediateInput(c),
        rootCertPem: pemEncode("CERTIFICATE", Uint8Array.of(0x30, 0x03, 1, 2, 3)),
      }),
    ).toBe("invalid root CA certificate")
  })

  it("`… must be a CA certificate` without basicConstraints or with CA:false", async () => {
    expect(await loadError(intermediateInput(await chain({ root: { basicConstraints: null } })))).toBe(
      "root CA must be a CA certificate",
    )
    expect(await loadError(rootInput(await chain({ root: { basicConstraints: { ca: false } } })))).toBe(
      "root CA must be a CA certificate",
    )
    expect(await loadError(intermediateInput(await chain({ intermediate: { basicConstraints: null } })))).toBe(
      "intermediate CA must be a CA certificate",
    )
  })

  it("key usage, when present, must include keyCertSign and cRLSign", async () => {
    expect(await loadError(rootInput(await chain({ root: { keyUsage: ["keyCertSign"] } })))).toBe(
      "root CA key usage must allow certificate and CRL signing",
    )
    expect(
      await loadError(intermediateInput(await chain({ intermediate: { keyUsage: ["digitalSignature", "cRLSign"] } }))),
    ).toBe("intermediate CA key usage must allow certificate and CRL signing")
    // absent key usage is fine
    const c = await chain({ root: { keyUsage: null }, intermediate: { keyUsage: null } })
    expect((await run(loadIssuer(intermediateInput(c)))).kind).toBe("intermediate")
  })

  it("an expired CA fails; a notBefore in the future does not", async () => {
    const expired = { notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - 1000) }
    expect(await loadError(intermediateInput(await chain({ root: expired })))).toBe("root CA is expired")
    expect(await loadError(rootInput(await chain({ root: expired })))).toBe("root CA is expired")
    expect(await loadError(intermediateInput(await chain({ intermediate: expired })))).toBe(
      "intermediate CA is expired",
    )
    const future = { notBefore: new Date(now.getTime() + DAY) }
    expect((await run(loadIssuer(intermediateInput(await chain({ intermediate: future }))))).kind).toBe("intermediate")
    // and the clock is the caller's
    const c = await chain()
    const later = new Date(now.getTime() + 31 * DAY)
    expect((await runFailure(loadIssuer(rootInput(c), { now: later }))).message).toBe("root CA is expired")
  })

  it("the intermediate must be signed by the root; in root mode the root must be self-signed", async () => {
    const a = await chain()
    const b = await chain()
    expect(await loadError({ ...intermediateInput(a), rootCertPem: b.root.pem })).toBe(
      "intermediate CA is not signed by root CA",
    )
    // an intermediate and its own key, offered as a root
    expect(
      await loadError({
        mode: "file_root_issuer",
        rootCertPem: a.intermediate.pem,
        rootKeyPem: keyPem(a.intermediateKey),
      }),
    ).toBe("root CA is not self-signed")
  })

  it("the key must match the certificate", async () => {
    const a = await chain()
    const b = await chain()
    const mismatch = "issuer private key does not match issuer certificate"
    expect(await loadError({ ...intermediateInput(a), intermediateKeyPem: keyPem(b.intermediateKey) })).toBe(mismatch)
    expect(await loadError({ ...rootInput(a), rootKeyPem: keyPem(a.intermediateKey) })).toBe(mismatch)
    // other key types
    const rsa = await run(generateKey("RSA-2048"))
    expect(await loadError({ ...intermediateInput(a), intermediateKeyPem: keyPem(rsa) })).toBe(mismatch)
    const p384 = await run(generateKey("P-384"))
    expect(await loadError({ ...rootInput(a), rootKeyPem: keyPem(p384) })).toBe(mismatch)
  })

  it("keys that are not PKCS#8 are refused", async () => {
    const a = await chain()
    const dir = tempDir()
    write(dir, "int.key", keyPem(a.intermediateKey))
    const sec1 = opensslOk(dir, ["ec", "-in", "int.key", "-outform", "PEM"]).stdout
    expect(sec1).toContain("BEGIN EC PRIVATE KEY")
    expect(await loadError({ ...intermediateInput(a), intermediateKeyPem: sec1 })).toBe(
      'invalid intermediate CA private key: expected a PKCS#8 "PRIVATE KEY" PEM block',
    )
    const garbage = pemEncode("PRIVATE KEY", Uint8Array.of(0x30, 0x01, 0x00))
    expect(await loadError({ ...rootInput(a), rootKeyPem: garbage })).toMatch(/^invalid root CA private key: /)
  })

  it("settings checks", () => {
    expect(checkLeafTtlSettings({ defaultTtlSecs: 10, maxTtlSecs: 10 })).toEqual(Either.right(undefined))
    const bad = checkLeafTtlSettings({ defaultTtlSecs: 11, maxTtlSecs: 10 })
    expect(Either.isLeft(bad) && bad.left.message).toBe(
      "ATOM_CERTS_LEAF_DEFAULT_TTL_SECS must be less than or equal to ATOM_CERTS_LEAF_MAX_TTL_SECS",
    )
    expect(requiredCaSettings("file_root_issuer")).toEqual([
      "ATOM_CERTS_ROOT_CA_CERT_PATH",
      "ATOM_CERTS_ROOT_CA_KEY_PATH",
    ])
    expect(missingSetting("ATOM_CERTS_ROOT_CA_CERT_PATH").message).toBe("ATOM_CERTS_ROOT_CA_CERT_PATH must be set")
  })
})
