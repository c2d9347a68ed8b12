/**
 * A second Atom for the CRL scenarios, whose issuer has `CRL_REVOKED` revoked certificates. It is started
 * once (shared by the CRL scenarios), on its own store: a PGlite folder, or with DATABASE_URL a fresh
 * database `atom_bench_crl` on that server (with CA files, as Postgres has no development CA).
 *
 * Seeding: Atom starts once to migrate and make its CA, issues one real certificate (the template), and
 * stops; the bench then copies that row 100,000 times as revoked certificates of the same issuer in one
 * INSERT … SELECT over generate_series, marks the CRL dirty, and starts Atom again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { devCaFiles, generateDevCa } from "../../packages/engines/src/pki/index.js"
import { runStatements } from "../../packages/repositories/src/db/index.js"
import { type DatasetTarget, databaseLayer, recreateDatabase } from "../dataset/database.js"
import { type RunningAtomProcess, startAtom } from "../lib/startAtom.js"
import { adminSession } from "./benchSession.js"

export const CRL_REVOKED = 100_000

// a PGlite folder starts slower than memory://, and the second start finds 100,000 more rows
const READY_TIMEOUT_MS = 300_000

export interface CrlAtom {
  readonly atom: RunningAtomProcess
  readonly headers: Readonly<Record<string, string>>
  /** A certificate of the issuer that the generation scenario revokes (again) to make the CRL stale. */
  readonly templateSerial: string
}

const ISSUE = JSON.stringify({
  query:
    "mutation I($input: IssueCertificateInput!) { issueCertificate(input: $input) { certificate { serialNumber } } }",
  variables: { input: { entityId: "00000000-0000-0000-0000-000000000001", ttlSecs: 3600 } },
})

const session = async (atom: RunningAtomProcess) => {
  const { token } = await adminSession(atom.httpUrl)
  return { "content-type": "application/json", authorization: `Bearer ${token}` }
}

const issueTemplate = async (atom: RunningAtomProcess): Promise<string> => {
  const res = await fetch(`${atom.httpUrl}/graphql`, { method: "POST", headers: await session(atom), body: ISSUE })
  const body: unknown = await res.json()
  const serial =
    typeof body === "object" && body !== null && "data" in body
      ? JSON.stringify(body.data).match(/"serialNumber":"([0-9a-f]+)"/)?.[1]
      : undefined
  if (serial === undefined) throw new Error(`crl bench: issueCertificate failed: ${JSON.stringify(body)}`)
  return serial
}

/** 100,000 revoked copies of the template (serials md5('crl-bench-<n>'), revoked a second apart), in one statement. */
const seedStatements = (templateSerial: string) => [
  {
    label: "revoked certificates",
    sql: `INSERT INTO credentials (entity_id, kind, identifier, serial_number, fingerprint_sha256, certificate_pem,
            not_before, not_after, expires_at, subject, dns_names, ip_addresses, issued_from_csr, issuer_kind,
            issuer_subject, issuer_serial_number, issuer_fingerprint_sha256, status, revoked_at, revocation_reason)
          SELECT t.entity_id, 'certificate', md5('crl-bench-' || g), md5('crl-bench-' || g),
            md5('crl-bench-' || g) || md5('crl-bench-fp-' || g), 'bench', t.not_before, t.not_after, t.not_after,
            t.subject, t.dns_names, t.ip_addresses, false, t.issuer_kind, t.issuer_subject, t.issuer_serial_number,
            t.issuer_fingerprint_sha256, 'revoked', now() - g * interval '1 second', 'unspecified'
          FROM credentials t, generate_series(1, ${CRL_REVOKED}) AS g
          WHERE t.serial_number = '${templateSerial}'`,
  },
  { label: "crl dirty", sql: "UPDATE crl_state SET dirty = true" },
]

const start = async (): Promise<CrlAtom> => {
  const dir = mkdtempSync(join(tmpdir(), "atom-bench-crl-"))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  const serverUrl = process.env.DATABASE_URL
  let env: Record<string, string> = {}
  let target: DatasetTarget = { kind: "pglite", dataDir: join(dir, "data") }
  if (serverUrl !== undefined && serverUrl !== "") {
    const url = await Effect.runPromise(recreateDatabase(serverUrl, "atom_bench_crl"))
    const caDir = join(dir, "ca")
    mkdirSync(caDir)
    for (const [name, content] of Object.entries(devCaFiles(await Effect.runPromise(generateDevCa())))) {
      writeFileSync(join(caDir, name), content, { mode: 0o600 })
    }
    env = {
      DATABASE_URL: url,
      ATOM_CERTS_ROOT_CA_CERT_PATH: join(caDir, "root-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(caDir, "intermediate-ca.crt"),
      ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(caDir, "intermediate-ca.key"),
    }
    target = { kind: "postgres", url }
  }
  const dataDir = target.kind === "pglite" ? target.dataDir : "memory://"
  const first = await startAtom({ dataDir, env, readyTimeoutMs: READY_TIMEOUT_MS })
  const templateSerial = await issueTemplate(first).finally(() => first.stop())
  await Effect.runPromise(
    runStatements(seedStatements(templateSerial), { inTransaction: true }).pipe(
      Effect.provide(Layer.orDie(databaseLayer(target))),
    ),
  )
  const atom = await startAtom({ dataDir, env, readyTimeoutMs: READY_TIMEOUT_MS })
  return { atom, headers: await session(atom), templateSerial }
}

let started: Promise<CrlAtom> | undefined

/** The seeded Atom, started on first use. */
export const crlAtom = (): Promise<CrlAtom> => {
  started ??= start()
  return started
}
