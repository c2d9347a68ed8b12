import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type DevCa, devCaFiles, generateDevCa } from "@atom/engines/pki"
import { OcspResponder } from "@atom/services/certificates"
import { SqlClient } from "@effect/sql"
import { Effect, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// OCSP answered from memory (issue 5): a warm request reads no status from the database, and every
// revocation path — on this replica, on another connection, on another replica — is seen by the next
// answer (the change feed of DESIGN.md §6). The answers are checked by the real openssl CLI.

const OPENSSL = "/usr/bin/openssl"
const ON_POSTGRES = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""
/** NOTIFY from another connection or replica reaches the listener within this (it takes milliseconds). */
const FEED_BUDGET_MS = 2_000

const dir = mkdtempSync(join(tmpdir(), "atom-ocsp-cache-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const opensslOk = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(`${stdout}\n${stderr}`)
      else reject(new Error(`openssl ${args.join(" ")} failed:\n${stdout}\n${stderr}`))
    })
  })

let ca: DevCa
let t: TestAtom
let admin: string
let device: string

const caEnv = () => {
  for (const [name, content] of Object.entries(devCaFiles(ca))) writeFileSync(join(dir, name), content)
  writeFileSync(join(dir, "chain.pem"), ca.intermediateCertPem + ca.rootCertPem)
  return {
    ATOM_CERTS_ENABLED: "true",
    ATOM_CERTS_CA_MODE: "file_intermediate_issuer",
    ATOM_CERTS_ROOT_CA_CERT_PATH: join(dir, "root-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(dir, "intermediate-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(dir, "intermediate-ca.key"),
  }
}

const sql = (atom: TestAtom, text: string, params: ReadonlyArray<string> = []) =>
  atom.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<{ id: string }>(text, params)))

/** A write no replica hears of: the statement triggers (and so NOTIFY) are off for its transaction. */
const unannounced = (atom: TestAtom, text: string, params: ReadonlyArray<string>) =>
  atom.atom.runtime.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (c) =>
      c.withTransaction(
        Effect.zipRight(c.unsafe("SET LOCAL session_replication_role = replica"), c.unsafe(text, params)),
      ),
    ),
  )

const data = async <R>(atom: TestAtom, query: string, variables: Record<string, unknown>): Promise<R> => {
  const res = await gql<R>(atom, admin, query, variables)
  if (res.errors !== undefined || res.data === null) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}

interface Leaf {
  readonly credentialId: string
  readonly serialNumber: string
  /** the certificate file, and the request for it without a nonce (openssl -reqout) */
  readonly file: string
  readonly request: Buffer
}

let leaves = 0
/** A certificate Atom issued to `entityId`, with a nonce-less OCSP request for it made by openssl. */
const newLeaf = async (entityId: string = device): Promise<Leaf> => {
  const issued = await data<{
    issueCertificate: { certificate: { credentialId: string; serialNumber: string; certificatePem: string } }
  }>(
    t,
    `mutation ($input: IssueCertificateInput!) {
       issueCertificate(input: $input) { certificate { credentialId serialNumber certificatePem } } }`,
    { input: { entityId, ttlSecs: 3600 } },
  )
  const { credentialId, serialNumber, certificatePem } = issued.issueCertificate.certificate
  const file = `leaf-${++leaves}.pem`
  writeFileSync(join(dir, file), certificatePem)
  await opensslOk(["ocsp", "-issuer", "intermediate-ca.crt", "-cert", file, "-no_nonce", "-reqout", `${file}.req`])
  return { credentialId, serialNumber, file, request: readFileSync(join(dir, `${file}.req`)) }
}

const post = async (atom: TestAtom, body: Buffer): Promise<Buffer> => {
  const res = await fetch(`${atom.baseUrl}/certs/ocsp`, {
    method: "POST",
    headers: { "content-type": "application/ocsp-request" },
    body: new Uint8Array(body),
  })
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

/** What openssl makes of a response Atom gave: verified against the chain, then `<file>: <status>`. */
const statusIn = async (leaf: Leaf, response: Buffer): Promise<string> => {
  const file = `${leaf.file}.${Date.now()}.resp`
  writeFileSync(join(dir, file), response)
  const out = await opensslOk([
    "ocsp",
    "-respin",
    file,
    "-issuer",
    "intermediate-ca.crt",
    "-cert",
    leaf.file,
    "-CAfile",
    "chain.pem",
    "-no_nonce",
  ])
  expect(out).toContain("Response verify OK")
  return /: (good|revoked|unknown)/.exec(out)?.[1] ?? out
}

/** openssl asks the running Atom itself, with a nonce (never served from the response cache). */
const askWithNonce = async (atom: TestAtom, leaf: Leaf): Promise<string> => {
  const out = await opensslOk([
    "ocsp",
    "-issuer",
    "intermediate-ca.crt",
    "-cert",
    leaf.file,
    "-url",
    `${atom.baseUrl}/certs/ocsp`,
    "-CAfile",
    "chain.pem",
  ])
  expect(out).toContain("Response verify OK")
  return /: (good|revoked|unknown)/.exec(out)?.[1] ?? out
}

const stats = (atom: TestAtom) => atom.atom.runtime.runPromise(Effect.map(OcspResponder, (r) => r.stats()))

/** Posts the leaf's request until openssl reads `revoked` in the answer, for at most the feed budget. */
const revokedWithin = async (atom: TestAtom, leaf: Leaf): Promise<number> => {
  const started = performance.now()
  while (performance.now() - started < FEED_BUDGET_MS) {
    if ((await statusIn(leaf, await post(atom, leaf.request))) === "revoked") return performance.now() - started
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`still not revoked after ${FEED_BUDGET_MS} ms`)
}

beforeAll(async () => {
  ca = await Effect.runPromise(generateDevCa())
  t = await startTestAtom(caEnv())
  admin = await adminToken(t)
  const [row] = await sql(
    t,
    "INSERT INTO entities (kind, name, status) VALUES ('device', 'ocsp-cache', 'active') RETURNING id",
  )
  if (row === undefined) throw new Error("no entity")
  device = row.id
})
afterAll(async () => {
  await t?.close()
})

describe("OCSP from memory", () => {
  it("answers a repeated request without a nonce from the response cache, byte for byte", async () => {
    const leaf = await newLeaf()
    const first = await post(t, leaf.request)
    expect(await statusIn(leaf, first)).toBe("good")
    const before = await stats(t)
    const again = await post(t, leaf.request)
    const after = await stats(t)
    expect(Buffer.compare(first, again)).toBe(0)
    expect(after.hits).toBe(before.hits + 1)
  })

  it("serves warm statuses without reading the database: a row changed behind the feed's back is not seen", async () => {
    // proof that the answer comes from memory: a change no replica announces (the trigger is bypassed)
    const leaf = await newLeaf()
    expect(await askWithNonce(t, leaf)).toBe("good")
    await unannounced(t, "UPDATE credentials SET status = 'revoked', revoked_at = now() WHERE id = $1", [
      leaf.credentialId,
    ])
    // the database says revoked; this replica, never told, still answers from memory
    const [row] = await sql(t, "SELECT id FROM credentials WHERE id = $1 AND status = 'revoked'", [leaf.credentialId])
    expect(row?.id).toBe(leaf.credentialId)
    expect(await askWithNonce(t, leaf)).toBe("good")
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
  })

  it("sees a revocation committed on another connection (NOTIFY on atom_auth) by the next answers", async () => {
    const leaf = await newLeaf()
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
    expect(await askWithNonce(t, leaf)).toBe("good")
    // plain SQL through the pool: nothing in Atom announces it, only the credentials trigger
    await sql(t, "UPDATE credentials SET status = 'revoked', revoked_at = now() WHERE id = $1", [leaf.credentialId])
    expect(await revokedWithin(t, leaf)).toBeLessThan(FEED_BUDGET_MS)
    expect(await askWithNonce(t, leaf)).toBe("revoked")
  })

  it.each([
    [
      "revokeCertificate",
      (leaf: Leaf) =>
        data(t, "mutation ($i: RevokeCertificateInput!) { revokeCertificate(input: $i) { status } }", {
          i: { serialNumber: leaf.serialNumber },
        }),
    ],
    [
      "revokeCredential",
      (leaf: Leaf) =>
        data(t, "mutation ($e: ID!, $c: ID!) { revokeCredential(entityId: $e, credentialId: $c) }", {
          e: device,
          c: leaf.credentialId,
        }),
    ],
    [
      "revokeEntityCertificates",
      () => data(t, "mutation ($e: ID!) { revokeEntityCertificates(entityId: $e) }", { e: device }),
    ],
  ])("sees %s on this replica at once: the very next answers say revoked", async (_, revoke) => {
    const leaf = await newLeaf()
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
    expect(await askWithNonce(t, leaf)).toBe("good")
    await revoke(leaf)
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("revoked")
    expect(await askWithNonce(t, leaf)).toBe("revoked")
  })

  it("sees deleteEntity on this replica at once (its certificates are revoked with it)", async () => {
    const [row] = await sql(
      t,
      "INSERT INTO entities (kind, name, status) VALUES ('device', 'doomed', 'active') RETURNING id",
    )
    if (row === undefined) throw new Error("no entity")
    const leaf = await newLeaf(row.id)
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
    await data(t, "mutation ($id: ID!) { deleteEntity(id: $id) }", { id: row.id })
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("revoked")
  })

  it("sees disableEntity and a suspension at once; enabling again does not bring the certificates back", async () => {
    const entity = async (name: string) => {
      const [row] = await sql(
        t,
        "INSERT INTO entities (kind, name, status) VALUES ('device', $1, 'active') RETURNING id",
        [name],
      )
      if (row === undefined) throw new Error("no entity")
      return row.id
    }
    const disabled = await entity("disabled-device")
    const suspended = await entity("suspended-device")
    const [a, b] = [await newLeaf(disabled), await newLeaf(suspended)]
    expect(await statusIn(a, await post(t, a.request))).toBe("good")
    expect(await statusIn(b, await post(t, b.request))).toBe("good")
    await data(t, "mutation ($id: ID!) { disableEntity(id: $id) { status } }", { id: disabled })
    await data(t, "mutation ($id: ID!) { updateEntity(id: $id, input: { status: suspended }) { status } }", {
      id: suspended,
    })
    expect(await statusIn(a, await post(t, a.request))).toBe("revoked")
    expect(await askWithNonce(t, b)).toBe("revoked")
    const withReason = (id: string, reason: string) =>
      sql(t, "SELECT id FROM credentials WHERE id = $1 AND status = 'revoked' AND revocation_reason = $2", [id, reason])
    expect(await withReason(a.credentialId, "entity_inactive")).toHaveLength(1)
    expect(await withReason(b.credentialId, "entity_suspended")).toHaveLength(1)
    await data(t, "mutation ($id: ID!) { enableEntity(id: $id) { status } }", { id: disabled })
    expect(await statusIn(a, await post(t, a.request))).toBe("revoked")
  })

  it("does not remember unknown serials: a certificate stored later is answered good", async () => {
    const leaf = await newLeaf()
    const serial = leaf.serialNumber
    await unannounced(t, "UPDATE credentials SET serial_number = $1, identifier = $1 WHERE id = $2", [
      `ff${serial}`,
      leaf.credentialId,
    ])
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("unknown")
    // a serial appearing is announced by nothing (as an INSERT of a newly issued certificate)
    await unannounced(t, "UPDATE credentials SET serial_number = $1, identifier = $1 WHERE id = $2", [
      serial,
      leaf.credentialId,
    ])
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
  })
})

describe.runIf(ON_POSTGRES)("two replicas on one Postgres database (needs DATABASE_URL)", () => {
  let b: TestAtom
  beforeAll(async () => {
    const url = Option.getOrThrow(t.config.databaseUrl)
    b = await startTestAtom({ ...caEnv(), DATABASE_URL: Redacted.value(url) }, { ownDatabase: true })
  })
  afterAll(async () => {
    await b?.close()
  })

  it("a revocation through replica B is answered revoked by replica A, whose cache was warm", async () => {
    const leaf = await newLeaf()
    expect(await statusIn(leaf, await post(t, leaf.request))).toBe("good")
    expect(await statusIn(leaf, await post(b, leaf.request))).toBe("good")
    const bAdmin = await adminToken(b)
    const res = await gql(
      b,
      bAdmin,
      "mutation ($i: RevokeCertificateInput!) { revokeCertificate(input: $i) { status } }",
      {
        i: { serialNumber: leaf.serialNumber },
      },
    )
    expect(res.errors).toBeUndefined()
    expect(await statusIn(leaf, await post(b, leaf.request))).toBe("revoked")
    expect(await revokedWithin(t, leaf)).toBeLessThan(FEED_BUDGET_MS)
    expect(await askWithNonce(t, leaf)).toBe("revoked")
  })
})
