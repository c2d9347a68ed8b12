import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { devCaFiles, generateDevCa } from "@atom/engines/pki"
import type { NewCertificate } from "@atom/repositories/certificates"
import { prepareEvent, verifyAuditChains } from "@atom/services/audit"
import { IssuanceWriter } from "@atom/services/certificates"
import { SqlClient } from "@effect/sql"
import { Deferred, Effect, Exit, Fiber, Schedule } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Issuance internals (issue 5). The owner of a certificate is read from memory while the change feed is
// quiet, and read again after any status change. The IssuanceWriter's fallback, made deterministic: the database is held while leaves queue
// up, so the batch that fails is known to hold the doomed leaf and its neighbours; it is retried leaf by
// leaf, and only the doomed one fails, with nothing of it written.

const ON_POSTGRES = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""

const dir = mkdtempSync(join(tmpdir(), "atom-issuance-batch-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let t: TestAtom
let fingerprint: string

const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | IssuanceWriter>) =>
  t.atom.runtime.runPromise(effect)
const sql = <T extends object>(text: string, params: ReadonlyArray<string> = []) =>
  run(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<T>(text, params)))

const newEntity = async (name: string): Promise<string> => {
  const [row] = await sql<{ id: string }>("INSERT INTO entities (kind, name) VALUES ('device', $1) RETURNING id", [
    name,
  ])
  if (row === undefined) throw new Error("no entity")
  return row.id
}

/** A leaf row as issuance makes it (the certificate text is not parsed by the writer), and its audit event. */
const leafFor = (entityId: string) => {
  const serial = randomBytes(16).toString("hex")
  const id = randomUUID()
  const now = Date.now()
  const row: NewCertificate = {
    id,
    entityId,
    serialNumber: serial,
    fingerprintSha256: randomBytes(32).toString("hex"),
    certificatePem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
    notBefore: new Date(now - 300_000),
    notAfter: new Date(now + 3_600_000),
    subject: { common_name: "batch" },
    dnsNames: [],
    ipAddresses: [],
    issuedFromCsr: false,
    issuerKind: "intermediate",
    issuerSubject: "CN=test",
    issuerSerialNumber: "01",
    issuerFingerprintSha256: fingerprint,
  }
  const event = prepareEvent(
    {
      outcome: "allow",
      actorId: null,
      tenantId: null,
      event: "certificate.issue",
      targetKind: "entity",
      targetId: entityId,
      details: { credential_id: id, serial_number: serial, csr: false },
    },
    now,
    {},
  )
  return { row, event }
}

beforeAll(async () => {
  const ca = await Effect.runPromise(generateDevCa())
  for (const [name, content] of Object.entries(devCaFiles(ca))) writeFileSync(join(dir, name), content)
  t = await startTestAtom({
    ATOM_CERTS_ENABLED: "true",
    ATOM_CERTS_CA_MODE: "file_intermediate_issuer",
    ATOM_CERTS_ROOT_CA_CERT_PATH: join(dir, "root-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH: join(dir, "intermediate-ca.crt"),
    ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH: join(dir, "intermediate-ca.key"),
  })
  fingerprint = randomBytes(32).toString("hex")
})
afterAll(async () => {
  await t?.close()
})

describe("IssuanceWriter group commit", () => {
  it("retries a failed batch leaf by leaf: only the leaf that cannot be stored fails, nothing of it written", async () => {
    const device = await newEntity("beside-doomed")
    const doomed = await newEntity("doomed")
    // stands for a failure at INSERT time (say, the entity deleted after the checks)
    await sql(
      `CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused for the test'; END $$`,
    )
    await sql(
      `CREATE TRIGGER refuse_doomed BEFORE INSERT ON credentials FOR EACH ROW
       WHEN (NEW.entity_id = '${doomed}'::uuid) EXECUTE FUNCTION refuse_doomed()`,
    )
    const first = leafFor(device)
    const batch = [leafFor(device), leafFor(device), leafFor(doomed), leafFor(device), leafFor(device)]
    const outcome = await run(
      Effect.gen(function* () {
        const db = yield* SqlClient.SqlClient
        const writer = yield* IssuanceWriter
        const release = yield* Deferred.make<void>()
        const held = yield* Deferred.make<void>()
        // hold the database: PGlite's one session by the transaction itself, Postgres by a table lock
        const holder = yield* Effect.fork(
          db.withTransaction(
            Effect.gen(function* () {
              if (ON_POSTGRES) yield* db.unsafe("LOCK TABLE credentials IN SHARE ROW EXCLUSIVE MODE")
              yield* Deferred.succeed(held, undefined)
              yield* Deferred.await(release)
            }),
          ),
        )
        yield* Deferred.await(held)
        const waitFor = (n: number) =>
          writer.pending.pipe(Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (p) => p === n }))
        // the first leaf is taken at once and waits for the database; the next ones queue behind it
        const firstStored = yield* Effect.fork(writer.store(first.row, first.event))
        yield* waitFor(0)
        const stored = yield* Effect.forEach(batch, (leaf) =>
          Effect.fork(Effect.exit(writer.store(leaf.row, leaf.event))),
        )
        yield* waitFor(batch.length)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)
        return { first: yield* Fiber.join(firstStored), batch: yield* Effect.forEach(stored, Fiber.join) }
      }),
    )
    await sql("DROP TRIGGER refuse_doomed ON credentials")
    await sql("DROP FUNCTION refuse_doomed()")

    expect(outcome.first).toBeInstanceOf(Date)
    outcome.batch.forEach((exit, i) => {
      if (i === 2) expect(Exit.isFailure(exit)).toBe(true)
      else expect(Exit.isSuccess(exit) && exit.value instanceof Date).toBe(true)
    })
    const written = await sql<{ entityId: string; n: number }>(
      `SELECT c.entity_id::text AS entity_id, count(*)::int AS n FROM credentials c
       WHERE c.entity_id IN ($1, $2) GROUP BY c.entity_id`,
      [device, doomed],
    )
    expect(written).toEqual([{ entityId: device, n: 5 }])
    const audited = await sql<{ targetId: string; n: number }>(
      `SELECT target_id::text AS target_id, count(*)::int AS n FROM audit_logs
       WHERE event = 'certificate.issue' AND target_id IN ($1, $2) GROUP BY target_id`,
      [device, doomed],
    )
    expect(audited).toEqual([{ targetId: device, n: 5 }])
    const verified = await t.atom.runtime.runPromise(verifyAuditChains)
    expect(verified.broken).toEqual([])
  })
})

describe("IssuanceWriter gathering", () => {
  it("holds a batch for the leaves announced and still being signed: they commit in the same transaction", async () => {
    const device = await newEntity("gathered")
    const leaves = [leafFor(device), leafFor(device), leafFor(device), leafFor(device)]
    const [alone, ...signing] = leaves
    if (alone === undefined) throw new Error("no leaf")
    const createdAt = await t.atom.runtime.runPromise(
      Effect.gen(function* () {
        const writer = yield* IssuanceWriter
        const signed = yield* Deferred.make<void>()
        // announced, then "signing" until released: the batch taken meanwhile must wait for them
        const later = yield* Effect.forEach(signing, (leaf) =>
          Effect.fork(writer.expecting(Effect.zipRight(Deferred.await(signed), writer.store(leaf.row, leaf.event)))),
        )
        const first = yield* Effect.fork(writer.expecting(writer.store(alone.row, alone.event)))
        // the first leaf has been queued and taken into a batch, which now waits for the three announced
        yield* Effect.all([writer.announced, writer.pending]).pipe(
          Effect.repeat({ schedule: Schedule.spaced("1 millis"), until: ([a, p]) => a === 3 && p <= 0 }),
        )
        yield* Deferred.succeed(signed, undefined)
        return [yield* Fiber.join(first), ...(yield* Effect.forEach(later, Fiber.join))]
      }).pipe(
        // a writer of its own whose window outlasts any scheduling delay: the batch waits for the release
        // below, never for the clock (the server's writer would give up after DEFAULT_GATHER_MS)
        Effect.provide(IssuanceWriter.Default({ gatherMs: 600_000 })),
      ),
    )
    // created_at is the transaction's start time: one value for all four means one transaction
    expect(createdAt.every((d) => d instanceof Date)).toBe(true)
    expect(new Set(createdAt.map((d) => d?.getTime())).size).toBe(1)
    const rows = await sql<{ n: number }>("SELECT count(*)::int AS n FROM credentials WHERE entity_id = $1", [device])
    expect(rows).toEqual([{ n: 4 }])
  })

  it("does not wait for an announced issuance that ends without storing", async () => {
    const device = await newEntity("gathered-failing")
    const leaf = leafFor(device)
    const outcome = await t.atom.runtime.runPromise(
      Effect.gen(function* () {
        const writer = yield* IssuanceWriter
        const failing = yield* Effect.fork(Effect.exit(writer.expecting(Effect.fail("refused before signing"))))
        const stored = yield* writer.expecting(writer.store(leaf.row, leaf.event))
        return { stored, failed: yield* Fiber.join(failing) }
      }).pipe(
        // a window far beyond the test's timeout: waiting for the failed issuance would time the test out
        Effect.provide(IssuanceWriter.Default({ gatherMs: 600_000 })),
      ),
    )
    expect(outcome.stored).toBeInstanceOf(Date)
    expect(Exit.isFailure(outcome.failed)).toBe(true)
  })
})

describe("the certificate owner, remembered", () => {
  it("is read again after the entity is disabled, enabled or deleted: issuance follows at once", async () => {
    const admin = await adminToken(t)
    const device = await newEntity("owner-cache")
    const issue = async () => {
      const res = await gql<{ issueCertificate: { certificate: { entityId: string } } }>(
        t,
        admin,
        "mutation ($i: IssueCertificateInput!) { issueCertificate(input: $i) { certificate { entityId } } }",
        { i: { entityId: device, ttlSecs: 3600 } },
      )
      return res.data?.issueCertificate.certificate.entityId ?? res.errors?.[0]?.message
    }
    const change = async (mutation: string) => {
      const res = await gql(t, admin, `mutation ($id: ID!) { ${mutation}(id: $id) { id } }`, { id: device })
      expect(res.errors).toBeUndefined()
    }
    expect(await issue()).toBe(device)
    expect(await issue()).toBe(device)
    await change("disableEntity")
    expect(await issue()).toBe("entity not found")
    await change("enableEntity")
    expect(await issue()).toBe(device)
    const deleted = await gql(t, admin, "mutation ($id: ID!) { deleteEntity(id: $id) }", { id: device })
    expect(deleted.errors).toBeUndefined()
    expect(await issue()).toBe("entity not found")
  })
})

describe("the shared-key owner trigger (migration 0011)", () => {
  it("fires only for shared keys, and still refuses a human's shared key", async () => {
    const [def] = await sql<{ def: string }>(
      "SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'credentials_shared_key_not_human'",
    )
    expect(def?.def).toContain("WHEN ((new.kind = 'shared_key'::text))")
    // the database's own message (the SqlError's cause)
    const refusal = (text: string, params: ReadonlyArray<string>) =>
      run(
        Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe(text, params)).pipe(
          Effect.match({ onSuccess: () => "stored", onFailure: (e) => String(e.cause) }),
        ),
      )
    const human = await sql<{ id: string }>("INSERT INTO entities (kind, name) VALUES ('human', 'sk') RETURNING id")
    const humanId = human[0]?.id ?? ""
    expect(await refusal("INSERT INTO credentials (entity_id, kind) VALUES ($1, 'shared_key')", [humanId])).toMatch(
      /shared_key credentials cannot belong to human entities/,
    )
  })
})
