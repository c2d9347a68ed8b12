import { execFile } from "node:child_process"
import { createHash, X509Certificate } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AtomConfig } from "@atom/domain/config"
import { type DevCa, devCaFiles, generateDevCa, issueLeafWithGeneratedKey, loadIssuer } from "@atom/engines/pki"
import { verifyAuditChains } from "@atom/services/audit"
import { CaSigner } from "@atom/services/certificates"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import * as grpc from "@grpc/grpc-js"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadConfig } from "../src/config/loadConfig.js"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { grpcCaller } from "./support/grpcClient.js"
import { hasPostgresBinaries, startPrivatePostgres } from "./support/privatePostgres.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"
import { postgresUrl } from "./support/testDatabase.js"

// ---------------------------------------------------------------------------------------------
// support

const OPENSSL = "/usr/bin/openssl"
const ADMIN_ID = "00000000-0000-0000-0000-000000000001"

const root = mkdtempSync(join(tmpdir(), "atom-certs-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const folder = (name: string): string => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  return dir
}

interface OpensslResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly output: string
}

/** The real openssl CLI, asynchronously: some commands talk to the Atom running in this process. */
const openssl = (cwd: string, args: ReadonlyArray<string>): Promise<OpensslResult> =>
  new Promise((resolve) => {
    execFile(OPENSSL, args, { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` })
    })
  })

const opensslOk = async (cwd: string, args: ReadonlyArray<string>): Promise<OpensslResult> => {
  const result = await openssl(cwd, args)
  if (result.code !== 0) throw new Error(`openssl ${args.join(" ")} failed (${result.code}):\n${result.output}`)
  return result
}

const write = (dir: string, name: string, content: string | Uint8Array): string => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const pemBlocks = (text: string): Array<string> =>
  text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? []

const derOf = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64")

const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** SQL on the running Atom's database (fixtures and checks only). */
const query = <T extends object>(
  t: TestAtom,
  text: string,
  params: ReadonlyArray<string | number | boolean | null> = [],
) => t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<T>(text, params)))

interface StoredAudit {
  readonly event: string
  readonly outcome: string
  readonly actorId: string | null
  readonly tenantId: string | null
  readonly targetKind: string | null
  readonly targetId: string | null
  readonly details: Record<string, unknown>
  /** the whole stored row as JSON text, to look for what must never be stored */
  readonly row: string
}

/** The stored audit rows of `event` about `targetId`. */
const auditRowsOf = async (t: TestAtom, event: string, targetId: string): Promise<Array<StoredAudit>> =>
  (
    await query<Omit<StoredAudit, "details"> & { details: string }>(
      t,
      `SELECT event, outcome, actor_id, tenant_id, target_kind, target_id, details::text AS details,
              row_to_json(audit_logs)::text AS row
       FROM audit_logs WHERE event = $1 AND target_id = $2 ORDER BY created_at, chain_seq`,
      [event, targetId],
    )
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }))

const newEntity = async (
  t: TestAtom,
  name: string,
  options: { kind?: string; tenantId?: string | null; status?: string } = {},
): Promise<string> => {
  const [row] = await query<{ id: string }>(
    t,
    "INSERT INTO entities (kind, name, tenant_id, status) VALUES ($1, $2, $3, $4) RETURNING id",
    [options.kind ?? "device", name, options.tenantId ?? null, options.status ?? "active"],
  )
  if (!row) throw new Error("no entity")
  return row.id
}

/** A global human with a password and no grants; answers its id and a session token. */
const newUser = async (t: TestAtom, name: string): Promise<{ id: string; token: string }> => {
  const password = "a-long-enough-password-123"
  const id = await newEntity(t, name, { kind: "human" })
  const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(password))))
  await query(t, "INSERT INTO credentials (entity_id, kind, secret_hash) VALUES ($1, 'password', $2)", [id, hash])
  return { id, token: await loginToken(t, name, password) }
}

interface WireCertificate {
  credentialId: string
  entityId: string
  tenantId: string | null
  serialNumber: string
  status: string
  certificatePem: string
  subject: Record<string, unknown>
  dnsNames: Array<string>
  ipAddresses: Array<string>
  fingerprintSha256: string
  expiresAt: string | null
  createdAt: string
  revokedAt: string | null
  revocationReason: string | null
}

const CERT_FIELDS = `credentialId entityId tenantId serialNumber status certificatePem subject dnsNames ipAddresses
  fingerprintSha256 expiresAt createdAt revokedAt revocationReason`

const ISSUE = `mutation ($input: IssueCertificateInput!) {
  issueCertificate(input: $input) { privateKeyPem certificate { ${CERT_FIELDS} } } }`
const ISSUE_CSR = `mutation ($input: IssueCertificateFromCsrInput!) {
  issueCertificateFromCsr(input: $input) { privateKeyPem certificate { ${CERT_FIELDS} } } }`
const RENEW = `mutation ($input: RenewCertificateInput!) {
  renewCertificate(input: $input) { privateKeyPem certificate { ${CERT_FIELDS} } } }`
const REVOKE = `mutation ($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { ${CERT_FIELDS} } }`

type Issued = { privateKeyPem: string | null; certificate: WireCertificate }

const issue = async (t: TestAtom, token: string | undefined, input: Record<string, unknown>) =>
  gql<{ issueCertificate: Issued }>(t, token, ISSUE, { input })

const issueOk = async (t: TestAtom, token: string, input: Record<string, unknown>): Promise<Issued> => {
  const res = await issue(t, token, input)
  if (!res.data) throw new Error(`issueCertificate failed: ${JSON.stringify(res.errors)}`)
  return res.data.issueCertificate
}

const revokeOk = async (t: TestAtom, token: string, serialNumber: string, reason?: string) => {
  const res = await gql<{ revokeCertificate: WireCertificate }>(t, token, REVOKE, {
    input: { serialNumber, ...(reason === undefined ? {} : { reason }) },
  })
  if (!res.data) throw new Error(`revokeCertificate failed: ${JSON.stringify(res.errors)}`)
  return res.data.revokeCertificate
}

const errorOf = (res: { errors?: Array<{ message: string }> }): string => res.errors?.[0]?.message ?? "(no error)"

const fetchCrl = async (t: TestAtom): Promise<Buffer> => {
  const res = await fetch(`${t.baseUrl}/certs/crl`)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toBe("application/pkix-crl")
  return Buffer.from(await res.arrayBuffer())
}

const crlNumberOf = (text: string): number => Number(/X509v3 CRL Number:\s+(\d+)/.exec(text)?.[1] ?? Number.NaN)

const bearer = (token: string): grpc.Metadata => {
  const metadata = new grpc.Metadata()
  metadata.set("authorization", `Bearer ${token}`)
  return metadata
}

const readiness = async (t: TestAtom) => (await fetch(`${t.baseUrl}/health/ready`)).json()

/** The four files of a development CA and the loader's view of each layout's issuer. */
const writeCa = (dir: string, ca: DevCa) => {
  for (const [name, content] of Object.entries(devCaFiles(ca))) write(dir, name, content)
  write(dir, "chain.pem", ca.intermediateCertPem + ca.rootCertPem)
  return {
    rootCert: join(dir, "root-ca.crt"),
    rootKey: join(dir, "root-ca.key"),
    intermediateCert: join(dir, "intermediate-ca.crt"),
    intermediateKey: join(dir, "intermediate-ca.key"),
    chain: join(dir, "chain.pem"),
  }
}

// startTestAtom turns certificates off on Postgres unless told otherwise: these Atoms say so
const intermediateEnv = (files: ReturnType<typeof writeCa>) => ({
  ATOM_CERTS_ENABLED: "true",
  ATOM_CERTS_CA_MODE: "file_intermediate_issuer",
  ATOM_CERTS_ROOT_CA_CERT_PATH: files.rootCert,
  ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: files.intermediateCert,
  ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: files.intermediateKey,
})

const rootEnv = (files: ReturnType<typeof writeCa>) => ({
  ATOM_CERTS_ENABLED: "true",
  ATOM_CERTS_CA_MODE: "file_root_issuer",
  ATOM_CERTS_ROOT_CA_CERT_PATH: files.rootCert,
  ATOM_CERTS_ROOT_CA_KEY_PATH: files.rootKey,
})

const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

let ca: DevCa
let caFiles: ReturnType<typeof writeCa>

beforeAll(async () => {
  ca = await run(generateDevCa())
  caFiles = writeCa(folder("ca"), ca)
})

// ---------------------------------------------------------------------------------------------

describe("an intermediate issuer loaded from ATOM_CERTS_* files", () => {
  let t: TestAtom
  let admin: string
  let device: string
  let dir: string

  beforeAll(async () => {
    dir = folder("intermediate")
    t = await startTestAtom(intermediateEnv(caFiles))
    admin = await adminToken(t)
    device = await newEntity(t, "device-d")
    write(dir, "root.pem", ca.rootCertPem)
    write(dir, "intermediate.pem", ca.intermediateCertPem)
    write(dir, "chain.pem", ca.intermediateCertPem + ca.rootCertPem)
  })
  afterAll(async () => {
    await t?.close()
  })

  it("reports the issuer in readiness", async () => {
    const body = await readiness(t)
    expect(body.certificate_issuer).toEqual({
      status: "ok",
      message: "certificate issuer loaded using file_intermediate_issuer",
    })
    expect(body.status).toBe("ok")
  })

  it("publishes the chain: intermediate then root, as PEM, over REST and GraphQL", async () => {
    const res = await fetch(`${t.baseUrl}/certs/ca-chain`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/x-pem-file")
    const text = await res.text()
    const blocks = pemBlocks(text)
    expect(blocks).toHaveLength(2)
    expect(derOf(blocks[0] ?? "")).toEqual(derOf(ca.intermediateCertPem))
    expect(derOf(blocks[1] ?? "")).toEqual(derOf(ca.rootCertPem))
    const anonymous = await gql<{ caChain: string }>(t, undefined, "{ caChain }")
    expect(anonymous.data?.caChain).toBe(text)
  })

  it("issues a leaf with a server-generated P-256 key that openssl verifies up to the root", async () => {
    const before = Date.now()
    const issued = await issueOk(t, admin, {
      entityId: device,
      ttlSecs: 3600,
      commonName: "d",
      dnsNames: ["d.local"],
      ipAddresses: ["10.0.0.7"],
    })
    const cert = issued.certificate
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    expect(cert.serialNumber).toMatch(/^[0-9a-f]{32}$/)
    expect(cert.fingerprintSha256).toBe(sha256Hex(derOf(cert.certificatePem)))
    expect(cert).toMatchObject({
      entityId: device,
      tenantId: null,
      status: "active",
      subject: { common_name: "d" },
      dnsNames: ["d.local"],
      ipAddresses: ["10.0.0.7"],
      revokedAt: null,
      revocationReason: null,
    })
    expect(cert.createdAt).toMatch(/\+00:00$/)

    write(dir, "leaf.pem", cert.certificatePem)
    write(dir, "leaf.key", issued.privateKeyPem ?? "")
    const verify = await opensslOk(dir, ["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem"])
    expect(verify.stdout.trim()).toBe("leaf.pem: OK")
    // and not against the root alone: it is the intermediate that signed it
    expect((await openssl(dir, ["verify", "-CAfile", "root.pem", "leaf.pem"])).code).not.toBe(0)

    const text = (await opensslOk(dir, ["x509", "-in", "leaf.pem", "-noout", "-text"])).stdout
    expect(text).toMatch(/Subject: CN ?= ?d\n/)
    expect(text).toContain("DNS:d.local")
    expect(text).toContain("IP Address:10.0.0.7")
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication")
    expect(text).toContain("Digital Signature, Key Encipherment")
    expect(text).toContain("CA:FALSE")
    expect(text).toContain("X509v3 Authority Key Identifier")
    expect(text).toContain("ASN1 OID: prime256v1")

    const x509 = new X509Certificate(cert.certificatePem)
    const notBefore = new Date(x509.validFrom).getTime()
    expect(Math.abs(notBefore - (before - 300_000))).toBeLessThan(10_000)
    expect(new Date(x509.validTo).toISOString().slice(0, 19)).toBe((cert.expiresAt ?? "").slice(0, 19))

    // the returned key is the certificate's key
    const keyPub = (await opensslOk(dir, ["pkey", "-in", "leaf.key", "-pubout"])).stdout
    const certPub = (await opensslOk(dir, ["x509", "-in", "leaf.pem", "-noout", "-pubkey"])).stdout
    expect(keyPub).toBe(certPub)
  })

  it("stores the certificate as a credential row and never a private key; records the audit event", async () => {
    const issued = await issueOk(t, admin, { entityId: device, commonName: "stored" })
    const [row] = await query<{
      kind: string
      identifier: string
      secretHash: string | null
      issuerKind: string
      issuedFromCsr: boolean
      expiresAt: Date
      notAfter: Date
    }>(t, "SELECT * FROM credentials WHERE id = $1", [issued.certificate.credentialId])
    expect(row).toMatchObject({
      kind: "certificate",
      identifier: issued.certificate.serialNumber,
      secretHash: null,
      issuerKind: "intermediate",
      issuedFromCsr: false,
    })
    expect(row?.expiresAt.getTime()).toBe(row?.notAfter.getTime())
    const leaks = await query<{ n: number }>(
      t,
      `SELECT (SELECT count(*) FROM credentials WHERE row_to_json(credentials)::text LIKE '%PRIVATE KEY%')
            + (SELECT count(*) FROM audit_logs WHERE row_to_json(audit_logs)::text LIKE '%PRIVATE KEY%')
            + (SELECT count(*) FROM crl_state WHERE row_to_json(crl_state)::text LIKE '%PRIVATE KEY%') AS n`,
    )
    expect(Number(leaks[0]?.n)).toBe(0)
    const audit = await query<{ event: string; details: string; targetId: string }>(
      t,
      "SELECT event, details::text AS details, target_id FROM audit_logs WHERE event = 'certificate.issue' AND details->>'credential_id' = $1",
      [issued.certificate.credentialId],
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]?.targetId).toBe(device)
    expect(JSON.parse(audit[0]?.details ?? "{}")).toEqual({
      credential_id: issued.certificate.credentialId,
      serial_number: issued.certificate.serialNumber,
      csr: false,
    })
  })

  it("defaults the CN to the entity UUID and the TTL to ATOM_CERTS_LEAF_DEFAULT_TTL_SECS", async () => {
    const issued = await issueOk(t, admin, { entityId: device })
    const x509 = new X509Certificate(issued.certificate.certificatePem)
    expect(x509.subject).toBe(`CN=${device}`)
    const ttl = (new Date(x509.validTo).getTime() - new Date(x509.validFrom).getTime()) / 1000
    expect(ttl).toBe(2_592_000 + 300)
  })

  it("refuses TTLs out of bounds and entities that are missing or not active", async () => {
    expect(errorOf(await issue(t, admin, { entityId: device, ttlSecs: 2_592_001 }))).toBe(
      "certificate TTL exceeds ATOM_CERTS_LEAF_MAX_TTL_SECS (2592000)",
    )
    expect(errorOf(await issue(t, admin, { entityId: device, ttlSecs: 0 }))).toBe(
      "certificate TTL must be greater than zero",
    )
    const suspended = await newEntity(t, "suspended-device", { status: "suspended" })
    expect(errorOf(await issue(t, admin, { entityId: suspended }))).toBe("entity not found")
    expect(errorOf(await issue(t, admin, { entityId: "7f6b3a52-7d43-4d4e-9a8e-0c4a3f1f0a11" }))).toBe(
      "entity not found",
    )
    expect(errorOf(await issue(t, admin, { entityId: "nope" }))).toBe("entityId must be a UUID")
    expect(errorOf(await issue(t, undefined, { entityId: device }))).toBe("missing authentication")
  })

  describe("from a CSR made by openssl req", () => {
    const config = "[req]\ndistinguished_name = dn\n[dn]\n"
    const csr = async (name: string, extensions: ReadonlyArray<string>): Promise<string> => {
      write(dir, "req.cnf", config)
      await opensslOk(dir, [
        "req",
        "-new",
        "-config",
        "req.cnf",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${name}/O=Acme`,
        ...extensions.flatMap((e) => ["-addext", e]),
      ])
      return readFileSync(join(dir, `${name}.csr`), "utf8")
    }
    const certificateCount = async () =>
      Number(
        (await query<{ n: string }>(t, "SELECT count(*)::text AS n FROM credentials WHERE kind = 'certificate'"))[0]?.n,
      )

    it("keeps the subject, SANs and key; overrides KU/EKU; never a CA; no private key", async () => {
      const pem = await csr("csr-device", [
        "subjectAltName=DNS:csr.local,IP:10.1.2.3",
        "keyUsage=critical,keyCertSign",
        "extendedKeyUsage=codeSigning",
      ])
      const res = await gql<{ issueCertificateFromCsr: Issued }>(t, admin, ISSUE_CSR, {
        input: { entityId: device, ttlSecs: 600, csrPem: pem },
      })
      const issued = res.data?.issueCertificateFromCsr
      expect(issued?.privateKeyPem).toBeNull()
      expect(issued?.certificate.subject).toEqual({ csr_subject: "CN=csr-device, O=Acme" })
      expect(issued?.certificate.dnsNames).toEqual(["csr.local"])
      expect(issued?.certificate.ipAddresses).toEqual(["10.1.2.3"])
      write(dir, "csr-leaf.pem", issued?.certificate.certificatePem ?? "")
      expect(
        (await opensslOk(dir, ["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "csr-leaf.pem"]))
          .stdout,
      ).toContain("csr-leaf.pem: OK")
      const text = (await opensslOk(dir, ["x509", "-in", "csr-leaf.pem", "-noout", "-text"])).stdout
      expect(text).toMatch(/Subject: CN ?= ?csr-device, O ?= ?Acme/)
      expect(text).toContain("Digital Signature, Key Encipherment")
      expect(text).not.toContain("Certificate Sign")
      expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication")
      expect(text).not.toContain("Code Signing")
      expect(text).toContain("CA:FALSE")
      const keyPub = (await opensslOk(dir, ["pkey", "-in", "csr-device.key", "-pubout"])).stdout
      const certPub = (await opensslOk(dir, ["x509", "-in", "csr-leaf.pem", "-noout", "-pubkey"])).stdout
      expect(certPub).toBe(keyPub)
      const [audit] = await query<{ csr: string }>(
        t,
        "SELECT details->>'csr' AS csr FROM audit_logs WHERE event = 'certificate.issue' AND details->>'credential_id' = $1",
        [issued?.certificate.credentialId ?? ""],
      )
      expect(audit?.csr).toBe("true")
    })

    it("refuses a CSR whose signature does not verify, a CA:true request and garbage — and issues nothing", async () => {
      const good = await csr("tampered", ["subjectAltName=DNS:t.local"])
      const der = derOf(good)
      der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01
      const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE REQUEST-----\n`
      const ca = await csr("wants-ca", ["basicConstraints=critical,CA:TRUE"])
      const before = await certificateCount()
      for (const csrPem of [tampered, ca, "garbage", ""]) {
        const res = await gql(t, admin, ISSUE_CSR, { input: { entityId: device, csrPem } })
        expect(errorOf(res)).toBe("invalid CSR")
        expect(res.data).toBeNull()
      }
      expect(await certificateCount()).toBe(before)
    })
  })

  it("revokes: the CRL lists the serial, its number grows by one per regeneration and stays for cached reads", async () => {
    const first = await fetchCrl(t)
    write(dir, "crl-0.der", first)
    const firstText = (await opensslOk(dir, ["crl", "-inform", "DER", "-in", "crl-0.der", "-noout", "-text"])).stdout
    const n0 = crlNumberOf(firstText)
    expect(n0).toBeGreaterThanOrEqual(1)
    expect(Buffer.compare(await fetchCrl(t), first)).toBe(0)

    const issued = await issueOk(t, admin, { entityId: device, commonName: "to-revoke" })
    const revoked = await revokeOk(t, admin, issued.certificate.serialNumber, "key compromise")
    expect(revoked).toMatchObject({ status: "revoked", revocationReason: "key compromise" })
    expect(revoked.revokedAt).toMatch(/\+00:00$/)

    // replicas (or requests) racing to regenerate agree on one new CRL
    const crls = await Promise.all(Array.from({ length: 6 }, () => fetchCrl(t)))
    for (const c of crls) expect(Buffer.compare(c, crls[0] ?? Buffer.alloc(0))).toBe(0)
    write(dir, "crl-1.der", crls[0] ?? Buffer.alloc(0))
    const checked = await opensslOk(dir, [
      "crl",
      "-inform",
      "DER",
      "-in",
      "crl-1.der",
      "-CAfile",
      "chain.pem",
      "-verify",
      "-noout",
      "-text",
    ])
    expect(checked.output).toContain("verify OK")
    expect(checked.stdout).toContain(`Serial Number: ${issued.certificate.serialNumber.toUpperCase()}`)
    expect(crlNumberOf(checked.stdout)).toBe(n0 + 1)
    expect(checked.stdout).toContain("Next Update")

    // a cached read: same bytes, same number
    expect(Buffer.compare(await fetchCrl(t), crls[0] ?? Buffer.alloc(0))).toBe(0)

    // openssl checks the leaf against the CRL too
    write(dir, "revoked.pem", issued.certificate.certificatePem)
    await opensslOk(dir, ["crl", "-inform", "DER", "-in", "crl-1.der", "-out", "crl-1.pem"])
    write(dir, "chain-crl.pem", ca.intermediateCertPem + ca.rootCertPem + readFileSync(join(dir, "crl-1.pem"), "utf8"))
    const crlCheck = await openssl(dir, ["verify", "-crl_check", "-CAfile", "chain-crl.pem", "revoked.pem"])
    expect(crlCheck.output).toContain("certificate revoked")

    // revoking again overwrites the time, and regenerates once more
    const again = await revokeOk(t, admin, issued.certificate.serialNumber)
    expect(again.revocationReason).toBe("unspecified")
    write(dir, "crl-2.der", await fetchCrl(t))
    expect(
      crlNumberOf((await opensslOk(dir, ["crl", "-inform", "DER", "-in", "crl-2.der", "-noout", "-text"])).stdout),
    ).toBe(n0 + 2)
    const [state] = await query<{ crlNumber: string; dirty: boolean }>(
      t,
      "SELECT crl_number::text AS crl_number, dirty FROM crl_state",
    )
    expect(state).toEqual({ crlNumber: String(n0 + 2), dirty: false })

    // each revocation is one certificate.revoke row about the credential, with its reason
    const audited = await auditRowsOf(t, "certificate.revoke", issued.certificate.credentialId)
    expect(audited).toHaveLength(2)
    for (const row of audited) {
      expect(row).toMatchObject({ outcome: "allow", actorId: ADMIN_ID, tenantId: null, targetKind: "credential" })
    }
    expect(audited.map((r) => r.details).sort((a, b) => String(a.reason).localeCompare(String(b.reason)))).toEqual([
      { serial_number: issued.certificate.serialNumber, reason: "key compromise" },
      { serial_number: issued.certificate.serialNumber, reason: "unspecified" },
    ])
  })

  describe("OCSP at POST /certs/ocsp, asked by openssl ocsp", () => {
    let url: string
    beforeAll(async () => {
      url = `${t.baseUrl}/certs/ocsp`
      const active = await issueOk(t, admin, { entityId: device, commonName: "ocsp-good" })
      write(dir, "ocsp-good.pem", active.certificate.certificatePem)
      const doomed = await issueOk(t, admin, { entityId: device, commonName: "ocsp-revoked" })
      write(dir, "ocsp-revoked.pem", doomed.certificate.certificatePem)
      await revokeOk(t, admin, doomed.certificate.serialNumber)
      // signed by the same issuer, never stored by Atom
      const issuer = await run(
        loadIssuer({
          mode: "file_intermediate_issuer",
          rootCertPem: ca.rootCertPem,
          intermediateCertPem: ca.intermediateCertPem,
          intermediateKeyPem: ca.intermediateKeyPem,
        }),
      )
      const stranger = await run(
        issueLeafWithGeneratedKey({
          issuer,
          commonName: "stranger",
          settings: { defaultTtlSecs: 3600, maxTtlSecs: 3600 },
        }),
      )
      write(dir, "ocsp-unknown.pem", stranger.certificatePem)
    })

    const ask = (leaf: string, extra: ReadonlyArray<string> = []) =>
      opensslOk(dir, [
        "ocsp",
        "-issuer",
        "intermediate.pem",
        "-cert",
        leaf,
        "-url",
        url,
        "-CAfile",
        "chain.pem",
        ...extra,
      ])

    it.each([
      ["ocsp-good.pem", "good"],
      ["ocsp-revoked.pem", "revoked"],
      ["ocsp-unknown.pem", "unknown"],
    ])("answers %s → %s, signed and verified, nonce echoed", async (leaf, status) => {
      const withNonce = await ask(leaf)
      expect(withNonce.output).toContain("Response verify OK")
      expect(withNonce.stdout).toContain(`${leaf}: ${status}`)
      expect(withNonce.output).not.toMatch(/nonce/i)
      const noNonce = await ask(leaf, ["-no_nonce"])
      expect(noNonce.output).toContain("Response verify OK")
      expect(noNonce.stdout).toContain(`${leaf}: ${status}`)
      if (status === "revoked") expect(noNonce.stdout).toContain("Reason: unspecified")
    })

    it("caches a response without a nonce until the status changes", async () => {
      const fresh = await issueOk(t, admin, { entityId: device, commonName: "ocsp-cache" })
      write(dir, "ocsp-cache.pem", fresh.certificate.certificatePem)
      await opensslOk(dir, [
        "ocsp",
        "-issuer",
        "intermediate.pem",
        "-cert",
        "ocsp-cache.pem",
        "-no_nonce",
        "-reqout",
        "cache.req",
      ])
      const post = async () => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/ocsp-request" },
          body: readFileSync(join(dir, "cache.req")),
        })
        expect(res.status).toBe(200)
        expect(res.headers.get("content-type")).toBe("application/ocsp-response")
        return Buffer.from(await res.arrayBuffer())
      }
      const a = await post()
      await new Promise((r) => setTimeout(r, 1100))
      const b = await post()
      expect(Buffer.compare(a, b)).toBe(0)
      await revokeOk(t, admin, fresh.certificate.serialNumber)
      const c = await post()
      expect(Buffer.compare(a, c)).not.toBe(0)
      write(dir, "cache.resp", c)
      const text = await opensslOk(dir, [
        "ocsp",
        "-respin",
        "cache.resp",
        "-issuer",
        "intermediate.pem",
        "-cert",
        "ocsp-cache.pem",
        "-CAfile",
        "chain.pem",
        "-no_nonce",
      ])
      expect(text.stdout).toContain("ocsp-cache.pem: revoked")
    })

    it("answers garbage and oversize bodies with malformedRequest, always HTTP 200; no GET", async () => {
      for (const body of [Buffer.from("xyz"), Buffer.alloc(70 * 1024, 0x30)]) {
        const res = await fetch(url, { method: "POST", body })
        expect(res.status).toBe(200)
        expect(res.headers.get("content-type")).toBe("application/ocsp-response")
        expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]))
      }
      expect((await fetch(url)).status).toBe(405)
    })

    // POST /certs/ocsp is served on the raw request (ocspHandler): the server's request id, metrics and body
    // bound still apply to it
    it("echoes the request id, counts in metrics under its route, bounds a chunked body", async () => {
      await opensslOk(dir, [
        "ocsp",
        "-issuer",
        "intermediate.pem",
        "-cert",
        "ocsp-good.pem",
        "-no_nonce",
        "-reqout",
        "ids.req",
      ])
      const body = readFileSync(join(dir, "ids.req"))
      const metric = async () => {
        const text = await (await fetch(`${t.baseUrl}/metrics`)).text()
        const series = 'atom_http_requests_total{method="POST",route="/certs/ocsp",status="200"} '
        return Number(
          text
            .split("\n")
            .find((l) => l.startsWith(series))
            ?.slice(series.length) ?? 0,
        )
      }
      const before = await metric()
      const named = await fetch(url, { method: "POST", headers: { "x-request-id": "ocsp-id-1" }, body })
      expect(named.headers.get("x-request-id")).toBe("ocsp-id-1")
      expect(named.headers.get("cache-control")).toBe("no-store")
      const signed = Buffer.from(await named.arrayBuffer())
      expect(signed.length).toBeGreaterThan(100)
      // the second answer comes from the cache: the same bytes, a fresh request id
      const again = await fetch(url, { method: "POST", body })
      expect(again.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
      // the length is sent, so the DER goes out unframed (no chunked transfer encoding)
      expect(again.headers.get("content-length")).toBe(String(signed.length))
      expect(again.headers.get("transfer-encoding")).toBeNull()
      expect(Buffer.from(await again.arrayBuffer())).toEqual(signed)
      // no content-length: the bound is counted as the chunks arrive
      const chunked = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(url, { method: "POST" }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
        })
        req.on("error", reject)
        for (let i = 0; i < 70; i++) req.write(Buffer.alloc(1024, 0x30))
        req.end()
      })
      expect(chunked).toEqual({ status: 200, body: Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]) })
      expect(await metric()).toBe(before + 3)
    })

    it("answers a truncated request with malformedRequest, and the whole one with a signed response", async () => {
      await opensslOk(dir, ["ocsp", "-issuer", "intermediate.pem", "-cert", "ocsp-good.pem", "-reqout", "req.der"])
      const request = readFileSync(join(dir, "req.der"))
      const post = async (body: Uint8Array<ArrayBuffer>) => {
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/ocsp-request" }, body })
        expect(res.status).toBe(200)
        return Buffer.from(await res.arrayBuffer())
      }
      for (const cut of [1, Math.floor(request.length / 2), request.length - 1]) {
        expect(await post(new Uint8Array(request.subarray(0, cut)))).toEqual(
          Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]),
        )
      }
      // responseStatus successful (0) and a response body follow the outer header
      const whole = await post(new Uint8Array(request))
      expect(whole.length).toBeGreaterThan(100)
      expect([...whole.subarray(whole[1] === 0x82 ? 4 : 3, (whole[1] === 0x82 ? 4 : 3) + 3)]).toEqual([
        0x0a, 0x01, 0x00,
      ])
    })
  })

  it("renews with a new key and serial, revoking the old one as superseded; a revoked one cannot be renewed", async () => {
    const old = await issueOk(t, admin, {
      entityId: device,
      commonName: "renew-me",
      dnsNames: ["r.local"],
      ipAddresses: ["192.0.2.1"],
    })
    const res = await gql<{ renewCertificate: Issued }>(t, admin, RENEW, {
      input: { serialNumber: old.certificate.serialNumber.toUpperCase().replace(/(..)(?!$)/g, "$1:"), revokeOld: true },
    })
    const renewed = res.data?.renewCertificate
    expect(renewed?.certificate.serialNumber).not.toBe(old.certificate.serialNumber)
    expect(renewed?.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/)
    expect(renewed?.certificate).toMatchObject({
      entityId: device,
      subject: { common_name: "renew-me" },
      dnsNames: ["r.local"],
      ipAddresses: ["192.0.2.1"],
    })
    write(dir, "renewed.pem", renewed?.certificate.certificatePem ?? "")
    await opensslOk(dir, ["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "renewed.pem"])
    const oldNow = await gql<{ certificate: WireCertificate }>(
      t,
      admin,
      `query ($s: String) { certificate(serialNumber: $s) { ${CERT_FIELDS} } }`,
      { s: old.certificate.serialNumber },
    )
    expect(oldNow.data?.certificate).toMatchObject({ status: "revoked", revocationReason: "superseded" })
    const again = await gql(t, admin, RENEW, { input: { serialNumber: old.certificate.serialNumber } })
    expect(errorOf(again)).toBe("cannot renew a revoked certificate")
    expect(errorOf(await gql(t, admin, RENEW, { input: { serialNumber: "xyz" } }))).toBe(
      "invalid certificate serial number",
    )
    expect(errorOf(await gql(t, admin, RENEW, { input: { serialNumber: "00ff" } }))).toBe("not found")

    // one certificate.renew row about the entity, by the admin, naming both serials and never the new key
    const renewals = (await auditRowsOf(t, "certificate.renew", device)).filter(
      (r) => r.details.new_credential_id === renewed?.certificate.credentialId,
    )
    expect(renewals).toHaveLength(1)
    expect(renewals[0]).toMatchObject({
      outcome: "allow",
      actorId: ADMIN_ID,
      tenantId: null,
      targetKind: "entity",
      targetId: device,
    })
    expect(renewals[0]?.details).toEqual({
      entity_id: device,
      old_serial_number: old.certificate.serialNumber,
      new_serial_number: renewed?.certificate.serialNumber,
      new_credential_id: renewed?.certificate.credentialId,
    })
    expect(renewals[0]?.row).not.toContain("PRIVATE KEY")
  })

  it("refuses malformed and unknown serials on revoke and read, changing nothing", async () => {
    const before = await query<{ n: string }>(
      t,
      "SELECT count(*)::text AS n FROM credentials WHERE kind = 'certificate' AND status = 'revoked'",
    )
    for (const [serialNumber, message] of [
      ["xyz", "invalid certificate serial number"],
      ["0g", "invalid certificate serial number"],
      ["", "invalid certificate serial number"],
      ["00ff", "not found"],
    ] as const) {
      const revoked = await gql(t, admin, REVOKE, { input: { serialNumber } })
      expect(errorOf(revoked)).toBe(message)
      expect(revoked.data).toBeNull()
      const read = await gql(t, admin, `query ($s: String) { certificate(serialNumber: $s) { serialNumber } }`, {
        s: serialNumber,
      })
      expect(errorOf(read)).toBe(message)
    }
    const after = await query<{ n: string }>(
      t,
      "SELECT count(*)::text AS n FROM credentials WHERE kind = 'certificate' AND status = 'revoked'",
    )
    expect(after[0]?.n).toBe(before[0]?.n)
  })

  it("reads one certificate by exactly one of credentialId or serialNumber, and lists them", async () => {
    const issued = await issueOk(t, admin, { entityId: device, commonName: "read-me" })
    const one = `query ($id: ID, $s: String) { certificate(credentialId: $id, serialNumber: $s) { ${CERT_FIELDS} } }`
    const byId = await gql<{ certificate: WireCertificate }>(t, admin, one, { id: issued.certificate.credentialId })
    expect(byId.data?.certificate).toEqual(issued.certificate)
    const bySerial = await gql<{ certificate: WireCertificate }>(t, admin, one, { s: issued.certificate.serialNumber })
    expect(bySerial.data?.certificate.credentialId).toBe(issued.certificate.credentialId)
    expect(errorOf(await gql(t, admin, one, {}))).toBe("provide credentialId or serialNumber")
    expect(
      errorOf(await gql(t, admin, one, { id: issued.certificate.credentialId, s: issued.certificate.serialNumber })),
    ).toBe("provide credentialId or serialNumber")

    const list = `query ($e: ID, $st: String, $l: Int) { certificates(entityId: $e, status: $st, limit: $l) { total items { credentialId status entityId } } }`
    const all = await gql<{ certificates: { total: number; items: Array<{ status: string; entityId: string }> } }>(
      t,
      admin,
      list,
      { e: device, l: 100 },
    )
    expect(all.data?.certificates.total).toBe(all.data?.certificates.items.length)
    expect(all.data?.certificates.items.every((c) => c.entityId === device)).toBe(true)
    const revokedOnly = await gql<{ certificates: { items: Array<{ status: string }> } }>(t, admin, list, {
      e: device,
      st: "revoked",
    })
    expect(revokedOnly.data?.certificates.items.length).toBeGreaterThan(0)
    expect(revokedOnly.data?.certificates.items.every((c) => c.status === "revoked")).toBe(true)
    const paged = await gql<{ certificates: { total: number } }>(t, admin, list, { e: device, l: 2 })
    expect(paged.data?.certificates.total).toBe(2)
    expect(errorOf(await gql(t, admin, list, { st: "bogus" }))).toBe(
      "invalid status filter: bogus (expected 'active' or 'revoked')",
    )
  })

  describe("callers without rights", () => {
    let bob: { id: string; token: string }
    beforeAll(async () => {
      bob = await newUser(t, "bob-no-grants")
    })

    it("may issue and read their own certificates (self-service) but not another entity's", async () => {
      const own = await issueOk(t, bob.token, { entityId: bob.id, commonName: "bob" })
      expect(own.certificate.entityId).toBe(bob.id)
      const read = await gql<{ certificate: WireCertificate }>(
        t,
        bob.token,
        "query ($s: String) { certificate(serialNumber: $s) { serialNumber } }",
        { s: own.certificate.serialNumber },
      )
      expect(read.data?.certificate.serialNumber).toBe(own.certificate.serialNumber)
      expect(errorOf(await issue(t, bob.token, { entityId: device }))).toBe("forbidden")
      const other = await issueOk(t, admin, { entityId: device })
      expect(
        errorOf(
          await gql(t, bob.token, "query ($s: String) { certificate(serialNumber: $s) { serialNumber } }", {
            s: other.certificate.serialNumber,
          }),
        ),
      ).toBe("forbidden")
      expect(
        errorOf(await gql(t, bob.token, REVOKE, { input: { serialNumber: other.certificate.serialNumber } })),
      ).toBe("forbidden")
      expect(errorOf(await gql(t, bob.token, "{ certificates { total } }"))).toBe("forbidden")
      expect(
        errorOf(
          await gql(t, bob.token, "mutation ($e: ID!) { revokeEntityCertificates(entityId: $e) }", { e: device }),
        ),
      ).toBe("forbidden")
    })
  })

  describe("gRPC CertificateService", () => {
    let client: ReturnType<typeof grpcCaller>
    let bob: { id: string; token: string }
    const service = "atom.v1.CertificateService"
    beforeAll(async () => {
      client = grpcCaller(t.grpcAddress)
      bob = await newUser(t, "bob-grpc")
    })
    afterAll(() => client?.close())

    it("ResolveCertificate answers the owner for an active serial, normalising serial and fingerprint", async () => {
      const issued = await issueOk(t, admin, { entityId: device, ttlSecs: 3600 })
      const colons = (hex: string) => hex.toUpperCase().replace(/(..)(?!$)/g, "$1:")
      const res = await client.call(
        service,
        "ResolveCertificate",
        {
          serial_number: colons(issued.certificate.serialNumber),
          fingerprint_sha256: colons(issued.certificate.fingerprintSha256),
        },
        bearer(admin),
      )
      expect(res.error).toBeNull()
      expect(res.response).toEqual({
        entity_id: device,
        tenant_id: "",
        credential_id: issued.certificate.credentialId,
        expires_at: issued.certificate.expiresAt,
      })
    })

    it("ResolveCertificate refuses with each status code", async () => {
      const call = (request: object, token: string | null) =>
        client.call(service, "ResolveCertificate", request, token === null ? new grpc.Metadata() : bearer(token))
      const active = await issueOk(t, admin, { entityId: device })
      const revoked = await issueOk(t, admin, { entityId: device })
      await revokeOk(t, admin, revoked.certificate.serialNumber)
      const shortLived = await issueOk(t, admin, { entityId: device, ttlSecs: 1 })
      await new Promise((r) => setTimeout(r, 1500))

      const cases: Array<[object, string | null, grpc.status, string]> = [
        [{ serial_number: "zz" }, admin, grpc.status.INVALID_ARGUMENT, "invalid certificate serial number"],
        [{ serial_number: "0badc0de" }, admin, grpc.status.NOT_FOUND, "not found"],
        [
          { serial_number: revoked.certificate.serialNumber },
          admin,
          grpc.status.UNAUTHENTICATED,
          "certificate revoked",
        ],
        [
          { serial_number: shortLived.certificate.serialNumber },
          admin,
          grpc.status.UNAUTHENTICATED,
          "certificate expired",
        ],
        [
          { serial_number: active.certificate.serialNumber, fingerprint_sha256: "00".repeat(32) },
          admin,
          grpc.status.UNAUTHENTICATED,
          "certificate fingerprint mismatch",
        ],
        // a fingerprint that is not hex is compared like any other (spec §3.6 step 5): a mismatch
        [
          { serial_number: active.certificate.serialNumber, fingerprint_sha256: "not-a-fingerprint" },
          admin,
          grpc.status.UNAUTHENTICATED,
          "certificate fingerprint mismatch",
        ],
        [{ serial_number: "" }, admin, grpc.status.INVALID_ARGUMENT, "invalid certificate serial number"],
        [{ serial_number: active.certificate.serialNumber }, bob.token, grpc.status.PERMISSION_DENIED, "forbidden"],
        // the caller is authorised before the certificate's state is told (spec §8.9)
        [{ serial_number: revoked.certificate.serialNumber }, bob.token, grpc.status.PERMISSION_DENIED, "forbidden"],
        [
          { serial_number: active.certificate.serialNumber },
          null,
          grpc.status.UNAUTHENTICATED,
          "missing authorization metadata",
        ],
      ]
      for (const [request, token, code, details] of cases) {
        const res = await call(request, token)
        expect({ code: res.error?.code, details: res.error?.details }).toEqual({ code, details })
      }
    })

    it("RevokeEntityCertificates revokes the active ones and answers how many; the gate is manage", async () => {
      const target = await newEntity(t, "revoke-all-device")
      const a = await issueOk(t, admin, { entityId: target })
      await issueOk(t, admin, { entityId: target })
      await revokeOk(t, admin, a.certificate.serialNumber)
      await issueOk(t, admin, { entityId: target })

      const denied = await client.call(service, "RevokeEntityCertificates", { entity_id: target }, bearer(bob.token))
      expect(denied.error?.code).toBe(grpc.status.PERMISSION_DENIED)
      const bad = await client.call(service, "RevokeEntityCertificates", { entity_id: "nope" }, bearer(admin))
      expect({ code: bad.error?.code, details: bad.error?.details }).toEqual({
        code: grpc.status.INVALID_ARGUMENT,
        details: "invalid entity_id: expected UUID",
      })
      const done = await client.call(
        service,
        "RevokeEntityCertificates",
        { entity_id: target, reason: "decommissioned" },
        bearer(admin),
      )
      expect(done.error).toBeNull()
      expect(Number(done.response?.revoked)).toBe(2)
      const reasons = await query<{ revocationReason: string }>(
        t,
        "SELECT revocation_reason FROM credentials WHERE entity_id = $1 AND kind = 'certificate' ORDER BY revocation_reason",
        [target],
      )
      expect(reasons.map((r) => r.revocationReason)).toEqual(["decommissioned", "decommissioned", "unspecified"])
      const again = await client.call(service, "RevokeEntityCertificates", { entity_id: target }, bearer(admin))
      expect(Number(again.response?.revoked)).toBe(0)

      // GraphQL's revokeEntityCertificates: default reason entity_revoked
      await issueOk(t, admin, { entityId: target })
      const viaGraphql = await gql<{ revokeEntityCertificates: number }>(
        t,
        admin,
        "mutation ($e: ID!) { revokeEntityCertificates(entityId: $e) }",
        { e: target },
      )
      expect(viaGraphql.data?.revokeEntityCertificates).toBe(1)
      const [latest] = await query<{ revocationReason: string }>(
        t,
        "SELECT revocation_reason FROM credentials WHERE entity_id = $1 AND kind = 'certificate' ORDER BY created_at DESC LIMIT 1",
        [target],
      )
      expect(latest?.revocationReason).toBe("entity_revoked")

      // one certificate.revoke_entity row per allowed call (none for the refused ones), with count and reason
      const audited = await auditRowsOf(t, "certificate.revoke_entity", target)
      expect(audited).toHaveLength(3)
      for (const row of audited) {
        expect(row).toMatchObject({ outcome: "allow", actorId: ADMIN_ID, tenantId: null, targetKind: "entity" })
      }
      expect(audited.map((r) => r.details).sort((a, b) => Number(b.count) - Number(a.count))).toEqual([
        { count: 2, reason: "decommissioned" },
        { count: 1, reason: "entity_revoked" },
        { count: 0, reason: "entity_revoked" },
      ])
    })
  })

  it("issues many at once: each leaf its own serial, row and audit record, on intact audit chains", async () => {
    const total = 40
    const issued = await Promise.all(
      Array.from({ length: total }, (_, i) => issueOk(t, admin, { entityId: device, commonName: `burst-${i}` })),
    )
    const serials = new Set(issued.map((i) => i.certificate.serialNumber))
    expect(serials.size).toBe(total)
    const ids = issued.map((i) => i.certificate.credentialId)
    const rows = await query<{ n: string }>(
      t,
      "SELECT count(*)::text AS n FROM credentials WHERE id = ANY($1::uuid[])",
      [`{${ids.join(",")}}`],
    )
    expect(rows[0]?.n).toBe(String(total))
    const audited = await query<{ credentialId: string; serialNumber: string }>(
      t,
      `SELECT details->>'credential_id' AS credential_id, details->>'serial_number' AS serial_number
       FROM audit_logs WHERE event = 'certificate.issue' AND details->>'credential_id' = ANY($1::text[])`,
      [`{${ids.join(",")}}`],
    )
    expect(new Map(audited.map((a) => [a.credentialId, a.serialNumber]))).toEqual(
      new Map(issued.map((i) => [i.certificate.credentialId, i.certificate.serialNumber])),
    )
    expect(audited).toHaveLength(total)
    const verified = await t.atom.runtime.runPromise(verifyAuditChains)
    expect(verified.broken).toEqual([])
  })

  // the batch fallback (a leaf that cannot be stored fails alone) is tested deterministically in issuanceBatch.test.ts
})

// ---------------------------------------------------------------------------------------------

describe("a root issuer loaded from ATOM_CERTS_* files", () => {
  let t: TestAtom
  let dir: string
  beforeAll(async () => {
    dir = folder("root")
    t = await startTestAtom(rootEnv(caFiles))
    write(dir, "root.pem", ca.rootCertPem)
  })
  afterAll(async () => {
    await t?.close()
  })

  it("signs with the root: the chain is the root alone, openssl verifies leaves, CRL and OCSP", async () => {
    expect((await readiness(t)).certificate_issuer.message).toBe("certificate issuer loaded using file_root_issuer")
    const chain = await (await fetch(`${t.baseUrl}/certs/ca-chain`)).text()
    expect(pemBlocks(chain)).toHaveLength(1)
    expect(derOf(chain)).toEqual(derOf(ca.rootCertPem))

    const admin = await adminToken(t)
    const device = await newEntity(t, "root-device")
    const issued = await issueOk(t, admin, { entityId: device, commonName: "root-leaf" })
    write(dir, "leaf.pem", issued.certificate.certificatePem)
    expect((await opensslOk(dir, ["verify", "-CAfile", "root.pem", "leaf.pem"])).stdout).toContain("leaf.pem: OK")
    const [row] = await query<{ issuerKind: string }>(t, "SELECT issuer_kind FROM credentials WHERE id = $1", [
      issued.certificate.credentialId,
    ])
    expect(row?.issuerKind).toBe("root")

    const good = await opensslOk(dir, [
      "ocsp",
      "-issuer",
      "root.pem",
      "-cert",
      "leaf.pem",
      "-url",
      `${t.baseUrl}/certs/ocsp`,
      "-CAfile",
      "root.pem",
    ])
    expect(good.output).toContain("Response verify OK")
    expect(good.stdout).toContain("leaf.pem: good")

    await revokeOk(t, admin, issued.certificate.serialNumber)
    write(dir, "crl.der", await fetchCrl(t))
    const crl = await opensslOk(dir, [
      "crl",
      "-inform",
      "DER",
      "-in",
      "crl.der",
      "-CAfile",
      "root.pem",
      "-verify",
      "-noout",
      "-text",
    ])
    expect(crl.output).toContain("verify OK")
    expect(crl.stdout).toContain(`Serial Number: ${issued.certificate.serialNumber.toUpperCase()}`)
  })
})

// ---------------------------------------------------------------------------------------------

describe("the embedded development CA (no ATOM_CERTS_* paths, no DATABASE_URL)", () => {
  it("memory:// keeps a generated CA in memory and issues leaves that chain to it", async () => {
    if (postgresUrl()) {
      // with a DATABASE_URL there is no development CA: the paths are required
      await expect(startTestAtom({ ATOM_CERTS_ENABLED: "true" })).rejects.toThrow(
        "ATOM_CERTS_ROOT_CA_CERT_PATH must be set",
      )
      return
    }
    const t = await startTestAtom()
    try {
      const dir = folder("memory")
      expect((await readiness(t)).certificate_issuer).toEqual({
        status: "ok",
        message: "certificate issuer loaded using file_intermediate_issuer",
      })
      const chain = pemBlocks(await (await fetch(`${t.baseUrl}/certs/ca-chain`)).text())
      expect(chain).toHaveLength(2)
      write(dir, "intermediate.pem", chain[0] ?? "")
      write(dir, "root.pem", chain[1] ?? "")
      const admin = await adminToken(t)
      const issued = await issueOk(t, admin, { entityId: ADMIN_ID, commonName: "admin" })
      write(dir, "leaf.pem", issued.certificate.certificatePem)
      expect(
        (await opensslOk(dir, ["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem"])).stdout,
      ).toContain("leaf.pem: OK")
    } finally {
      await t.close()
    }
  })

  it("a data folder gets <ATOM_DATA_DIR>/ca/ once (keys 0600) and keeps using it", async () => {
    const dataDir = folder("embedded-data")
    const t = await startTestAtom({ ATOM_DATA_DIR: dataDir }, { ownDatabase: true })
    let chain: string
    try {
      chain = await (await fetch(`${t.baseUrl}/certs/ca-chain`)).text()
    } finally {
      await t.close()
    }
    const caDir = join(dataDir, "ca")
    for (const name of ["root-ca.key", "intermediate-ca.key"])
      expect(statSync(join(caDir, name)).mode & 0o777).toBe(0o600)
    expect(statSync(caDir).mode & 0o077).toBe(0)
    expect(derOf(pemBlocks(chain)[1] ?? "")).toEqual(derOf(readFileSync(join(caDir, "root-ca.crt"), "utf8")))
    expect(derOf(pemBlocks(chain)[0] ?? "")).toEqual(derOf(readFileSync(join(caDir, "intermediate-ca.crt"), "utf8")))

    // the next start loads the same CA rather than generating another
    const config = await run(loadConfig({ ATOM_DATA_DIR: dataDir, ATOM_LOG_LEVEL: "error" }))
    const reloaded = await run(
      Effect.scoped(
        Effect.gen(function* () {
          const ctx = yield* Layer.build(CaSigner.Live.pipe(Layer.provide(Layer.succeed(AtomConfig, config))))
          return yield* Effect.provide(CaSigner, ctx)
        }),
      ).pipe(Logger.withMinimumLogLevel(LogLevel.None)),
    )
    expect(reloaded.state._tag === "Loaded" && reloaded.state.source).toEqual({
      _tag: "DevCa",
      directory: caDir,
      generated: false,
    })
    expect(reloaded.state._tag === "Loaded" && reloaded.state.issuer.chainPem).toBe(chain)
  })
})

// ---------------------------------------------------------------------------------------------

describe("certificates disabled (ATOM_CERTS_ENABLED=false)", () => {
  let t: TestAtom
  beforeAll(async () => {
    t = await startTestAtom({ ATOM_CERTS_ENABLED: "false" })
  })
  afterAll(async () => {
    await t?.close()
  })

  it("reports disabled, answers 400 on the PKI routes and malformedRequest on OCSP", async () => {
    const body = await readiness(t)
    expect(body.certificate_issuer).toEqual({ status: "disabled", message: "certificate issuer disabled" })
    expect(body.status).toBe("ok")
    for (const path of ["/certs/ca-chain", "/certs/crl"]) {
      const res = await fetch(`${t.baseUrl}${path}`)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: "certificate support is disabled" })
    }
    const ocsp = await fetch(`${t.baseUrl}/certs/ocsp`, { method: "POST", body: Buffer.from("30", "hex") })
    expect(ocsp.status).toBe(200)
    expect(Buffer.from(await ocsp.arrayBuffer())).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]))
    expect(errorOf(await gql(t, undefined, "{ caChain }"))).toBe("certificate support is disabled")
    const admin = await adminToken(t)
    expect(errorOf(await issue(t, admin, { entityId: ADMIN_ID }))).toBe("certificate support is disabled")
  })
})

// ---------------------------------------------------------------------------------------------

describe("startup with bad CA material fails with a clear message", () => {
  let other: DevCa
  let otherFiles: ReturnType<typeof writeCa>
  let leafPath: string
  beforeAll(async () => {
    other = await run(generateDevCa({ rootCommonName: "Other Root", intermediateCommonName: "Other Intermediate" }))
    otherFiles = writeCa(folder("other-ca"), other)
    const issuer = await run(
      loadIssuer({ mode: "file_root_issuer", rootCertPem: ca.rootCertPem, rootKeyPem: ca.rootKeyPem }),
    )
    const leaf = await run(
      issueLeafWithGeneratedKey({ issuer, commonName: "not-a-ca", settings: { defaultTtlSecs: 60, maxTtlSecs: 60 } }),
    )
    leafPath = write(folder("bad"), "leaf.pem", leaf.certificatePem)
    write(folder("bad"), "garbage.pem", "not a certificate")
  })

  it.each([
    [
      "a missing path",
      () => ({ ...intermediateEnv(caFiles), ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: undefined }),
      "certificate issuer: ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH must be set",
    ],
    [
      "an unreadable file",
      () => ({ ...rootEnv(caFiles), ATOM_CERTS_ROOT_CA_KEY_PATH: join(root, "absent.key") }),
      `certificate issuer: cannot read ATOM_CERTS_ROOT_CA_KEY_PATH (${join(root, "absent.key")})`,
    ],
    [
      "a file that is not PEM",
      () => ({ ...rootEnv(caFiles), ATOM_CERTS_ROOT_CA_CERT_PATH: join(root, "bad", "garbage.pem") }),
      "certificate issuer: invalid root CA PEM",
    ],
    [
      "a leaf as the root",
      () => ({ ...rootEnv(caFiles), ATOM_CERTS_ROOT_CA_CERT_PATH: leafPath }),
      "certificate issuer: root CA must be a CA certificate",
    ],
    [
      "a key of another CA",
      () => ({ ...intermediateEnv(caFiles), ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: otherFiles.intermediateKey }),
      "certificate issuer: issuer private key does not match issuer certificate",
    ],
    [
      "an intermediate of another root",
      () => ({ ...intermediateEnv(caFiles), ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: otherFiles.intermediateCert }),
      "certificate issuer: intermediate CA is not signed by root CA",
    ],
  ])("%s", async (_name, env, message) => {
    await expect(startTestAtom(env())).rejects.toThrow(message)
  })

  describe.runIf(hasPostgresBinaries)("on Postgres (no development CA there)", () => {
    it("requires the paths when certificates are enabled", async () => {
      const pg = await startPrivatePostgres()
      try {
        const env = { DATABASE_URL: pg.url, ATOM_CERTS_ENABLED: "true" }
        await expect(startTestAtom(env, { ownDatabase: true })).rejects.toThrow(
          "certificate issuer: ATOM_CERTS_ROOT_CA_CERT_PATH must be set",
        )
      } finally {
        pg.destroy()
      }
    })
  })
})

// ---------------------------------------------------------------------------------------------

describe("gRPC mTLS (ATOM_GRPC_TLS_*) with certificates Atom issued", () => {
  let issuerAtom: TestAtom
  let tls: TestAtom
  let dir: string
  let client: { key: Buffer; cert: Buffer }
  let stranger: { key: Buffer; cert: Buffer }

  beforeAll(async () => {
    dir = folder("mtls")
    issuerAtom = await startTestAtom(intermediateEnv(caFiles))
    const admin = await adminToken(issuerAtom)
    const server = await issueOk(issuerAtom, admin, {
      entityId: await newEntity(issuerAtom, "grpc-server"),
      commonName: "localhost",
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
    })
    const clientCert = await issueOk(issuerAtom, admin, {
      entityId: await newEntity(issuerAtom, "grpc-client"),
      commonName: "grpc-client",
    })
    write(dir, "server.pem", server.certificate.certificatePem + ca.intermediateCertPem)
    write(dir, "server.key", server.privateKeyPem ?? "")
    write(dir, "clients-ca.pem", ca.intermediateCertPem + ca.rootCertPem)
    client = {
      key: Buffer.from(clientCert.privateKeyPem ?? ""),
      cert: Buffer.from(clientCert.certificate.certificatePem + ca.intermediateCertPem),
    }
    // a client certificate from an unrelated CA
    const otherCa = await run(generateDevCa({ rootCommonName: "Elsewhere Root" }))
    const otherIssuer = await run(
      loadIssuer({ mode: "file_root_issuer", rootCertPem: otherCa.rootCertPem, rootKeyPem: otherCa.rootKeyPem }),
    )
    const otherLeaf = await run(
      issueLeafWithGeneratedKey({
        issuer: otherIssuer,
        commonName: "intruder",
        settings: { defaultTtlSecs: 3600, maxTtlSecs: 3600 },
      }),
    )
    stranger = { key: Buffer.from(otherLeaf.privateKeyPem), cert: Buffer.from(otherLeaf.certificatePem) }

    tls = await startTestAtom({
      ...intermediateEnv(caFiles),
      ATOM_GRPC_TLS_CERT_PATH: join(dir, "server.pem"),
      ATOM_GRPC_TLS_KEY_PATH: join(dir, "server.key"),
      ATOM_GRPC_TLS_CLIENT_CA_PATH: join(dir, "clients-ca.pem"),
    })
  })
  afterAll(async () => {
    await tls?.close()
    await issuerAtom?.close()
  })

  const health = async (credentials: grpc.ChannelCredentials) => {
    const caller = grpcCaller(tls.grpcAddress, credentials)
    try {
      return await caller.call("grpc.health.v1.Health", "Check", { service: "atom.v1.CertificateService" })
    } finally {
      caller.close()
    }
  }
  const rootCa = () => Buffer.from(ca.rootCertPem)

  it("serves a client presenting a certificate Atom issued", async () => {
    const res = await health(grpc.credentials.createSsl(rootCa(), client.key, client.cert))
    expect(res.error).toBeNull()
    expect(res.response).toEqual({ status: "SERVING" })

    // and the RPCs work over it
    const caller = grpcCaller(tls.grpcAddress, grpc.credentials.createSsl(rootCa(), client.key, client.cert))
    try {
      const resolved = await caller.call(
        "atom.v1.CertificateService",
        "ResolveCertificate",
        { serial_number: "00ff" },
        bearer(await adminToken(tls)),
      )
      expect(resolved.error?.code).toBe(grpc.status.NOT_FOUND)
    } finally {
      caller.close()
    }
  })

  it("refuses a client without a certificate, with one from another CA, and plaintext", async () => {
    expect((await health(grpc.credentials.createSsl(rootCa()))).error?.code).toBe(grpc.status.UNAVAILABLE)
    expect((await health(grpc.credentials.createSsl(rootCa(), stranger.key, stranger.cert))).error?.code).toBe(
      grpc.status.UNAVAILABLE,
    )
    expect((await health(grpc.credentials.createInsecure())).error?.code).toBe(grpc.status.UNAVAILABLE)
  })
})
