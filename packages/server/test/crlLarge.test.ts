import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { devCaFiles, generateDevCa } from "@atom/engines/pki"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// A CRL of many entries (issue 5): built by hand from the packed rows, signed once, accepted by the real
// openssl CLI, served from memory afterwards, and regenerated with the next number after a revocation.
// The 100,000-entry timing is the bench's (`crl-generate-100k`); this checks correctness at 20,000.

const OPENSSL = "/usr/bin/openssl"
const ENTRIES = 20_000
const ON_POSTGRES = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""

const dir = mkdtempSync(join(tmpdir(), "atom-crl-large-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const openssl = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { cwd: dir, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(`${stdout}\n${stderr}`)
      else reject(new Error(`openssl ${args.join(" ")} failed:\n${stderr}`))
    })
  })

/** A stored serial as openssl prints it (lowercased here): the INTEGER's value, without leading zero bytes. */
const asPrinted = (serial: string): string => serial.replace(/^(00)+(?=..)/, "")

let t: TestAtom
let admin: string

const sql = <T extends object>(text: string, params: ReadonlyArray<string> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<T>(text, params)))

const fetchCrl = async (): Promise<Buffer> => {
  const res = await fetch(`${t.baseUrl}/certs/crl`)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

/** openssl's reading of a CRL: verified against the chain, with its number and every serial listed. */
const readCrl = async (der: Buffer, name: string) => {
  writeFileSync(join(dir, name), der)
  const text = await openssl([
    "crl",
    "-inform",
    "DER",
    "-in",
    name,
    "-CAfile",
    "chain.pem",
    "-verify",
    "-noout",
    "-text",
  ])
  expect(text).toContain("verify OK")
  const serials = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => (m[1] ?? "").toLowerCase())
  return {
    number: Number(/X509v3 CRL Number:\s+(\d+)/.exec(text)?.[1]),
    serials: new Set(serials),
    count: serials.length,
  }
}

const revoke = async (serialNumber: string) => {
  const res = await gql(
    t,
    admin,
    "mutation ($i: RevokeCertificateInput!) { revokeCertificate(input: $i) { status } }",
    {
      i: { serialNumber },
    },
  )
  expect(res.errors).toBeUndefined()
}

let template: string

beforeAll(async () => {
  const ca = await Effect.runPromise(generateDevCa())
  for (const [name, content] of Object.entries(devCaFiles(ca))) writeFileSync(join(dir, name), content)
  writeFileSync(join(dir, "chain.pem"), ca.intermediateCertPem + ca.rootCertPem)
  t = await startTestAtom({
    ATOM_CERTS_ENABLED: "true",
    ATOM_CERTS_CA_MODE: "file_intermediate_issuer",
    ATOM_CERTS_ROOT_CA_CERT_PATH: join(dir, "root-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(dir, "intermediate-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(dir, "intermediate-ca.key"),
  })
  admin = await adminToken(t)
  const issued = await gql<{ issueCertificate: { certificate: { serialNumber: string } } }>(
    t,
    admin,
    "mutation ($i: IssueCertificateInput!) { issueCertificate(input: $i) { certificate { serialNumber } } }",
    { i: { entityId: "00000000-0000-0000-0000-000000000001", ttlSecs: 3600 } },
  )
  template = issued.data?.issueCertificate.certificate.serialNumber ?? ""
  expect(template).toMatch(/^[0-9a-f]+$/)
  // copies of the issued certificate, revoked a second apart, under serials with and without a leading
  // zero byte after normalisation (md5 hex: about half start with a digit ≥ 8, which needs a 0x00 pad)
  await sql(
    `INSERT INTO credentials (entity_id, kind, identifier, serial_number, fingerprint_sha256, certificate_pem,
       not_before, not_after, expires_at, subject, dns_names, ip_addresses, issued_from_csr, issuer_kind,
       issuer_subject, issuer_serial_number, issuer_fingerprint_sha256, status, revoked_at, revocation_reason)
     SELECT t.entity_id, 'certificate', md5('crl-large-' || g), md5('crl-large-' || g),
       md5('crl-large-' || g) || md5('crl-large-fp-' || g), t.certificate_pem, t.not_before, t.not_after,
       t.not_after, t.subject, t.dns_names, t.ip_addresses, false, t.issuer_kind, t.issuer_subject,
       t.issuer_serial_number, t.issuer_fingerprint_sha256, 'revoked', now() - g * interval '1 second', 'unspecified'
     FROM credentials t, generate_series(1, ${ENTRIES}) AS g
     WHERE t.serial_number = $1`,
    [template],
  )
  await sql("UPDATE crl_state SET dirty = true")
})
afterAll(async () => {
  await t?.close()
})

describe(`a CRL of ${ENTRIES.toLocaleString("en-US")} revoked certificates`, () => {
  it("is accepted by openssl crl -verify and lists every revoked serial, minimally encoded", async () => {
    const der = await fetchCrl()
    const crl = await readCrl(der, "large-1.der")
    expect(crl.count).toBe(ENTRIES)
    const expected = await sql<{ serial: string }>(
      "SELECT serial_number AS serial FROM credentials WHERE status = 'revoked' AND kind = 'certificate'",
    )
    expect(expected).toHaveLength(ENTRIES)
    const missing = expected.filter(({ serial }) => !crl.serials.has(asPrinted(serial)))
    expect(missing).toEqual([])
    // the cached copy: same bytes, same number
    expect(Buffer.compare(await fetchCrl(), der)).toBe(0)
  })

  it("is regenerated once after a revocation, with the next number and the new entry", async () => {
    const before = await readCrl(await fetchCrl(), "large-2.der")
    await revoke(template)
    const after = await readCrl(await fetchCrl(), "large-3.der")
    expect(after.number).toBe(before.number + 1)
    expect(after.count).toBe(ENTRIES + 1)
    expect(after.serials.has(asPrinted(template))).toBe(true)
  })

  it(`keeps the DER in the database on Postgres (replicas read it) and in memory only when embedded`, async () => {
    const [state] = await sql<{ bytes: number; dirty: boolean }>(
      "SELECT coalesce(octet_length(crl_der), 0)::int AS bytes, dirty FROM crl_state",
    )
    expect(state?.dirty).toBe(false)
    if (ON_POSTGRES) expect(state?.bytes).toBeGreaterThan(ENTRIES * 18)
    else expect(state?.bytes).toBe(0)
    // the stored number is the served one either way
    const [row] = await sql<{ n: string }>("SELECT crl_number::text AS n FROM crl_state")
    expect(Number(row?.n)).toBe((await readCrl(await fetchCrl(), "large-4.der")).number)
  })
})
