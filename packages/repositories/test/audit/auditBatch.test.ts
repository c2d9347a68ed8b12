import { randomBytes, randomUUID } from "node:crypto"
import type { AuditRecord } from "@atom/domain/audit"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, postgresUrl, singleConnectionPool } from "../../../server/test/support/testDatabase.js"
import { AuditLogs, COPY_MIN_ROWS } from "../../src/audit/AuditLogs.js"
import { makeAuditCopyRows } from "../../src/audit/auditCopyRows.js"
import { copyFrames } from "../../src/db/copyFrom.js"
import { runMigrations } from "../../src/db/migrate.js"
import * as PgliteClient from "../../src/db/PgliteClient.js"
import { acquirePgPool, NAME_TRANSFORMS } from "../../src/db/PostgresPool.js"

/** Text COPY's format and Postgres arrays read specially, as data. */
const AWKWARD = [
  'quote"d',
  "back\\slash",
  "tab\there",
  "new\nline",
  "carriage\rreturn",
  "crlf\r\nend",
  "\\N",
  "\\.",
  "a\\tb",
  "NULL",
  "{brace,comma}",
  "ünïcødé 😀",
  "\u0001ctl",
  "",
]
const pick = (i: number) => AWKWARD[i % AWKWARD.length] ?? ""
const hex = () => randomBytes(32).toString("hex")

const records = (n: number): Array<AuditRecord> => {
  const chainId = randomUUID()
  const start = Date.now()
  let prev: string | null = null
  return Array.from({ length: n }, (_, i) => {
    const hash = hex()
    const row: AuditRecord = {
      id: randomUUID(),
      createdAt: new Date(start + i),
      actorId: i % 3 === 0 ? null : randomUUID(),
      tenantId: i % 2 === 0 ? null : randomUUID(),
      targetKind: i % 4 === 0 ? null : `kind ${pick(i)}`,
      targetId: i % 5 === 0 ? null : randomUUID(),
      event: `test.${pick(i + 1)}.batch`,
      outcome: i % 2 === 0 ? "allow" : "deny",
      details: { i, s: pick(i + 2), list: [pick(i + 3), null, i, true], nested: { k: pick(i + 4) } },
      clientIp: i % 6 === 0 ? null : "192.0.2.7",
      userAgent: i % 7 === 0 ? null : `agent ${pick(i + 5)}`,
      requestId: `req-${i}-${pick(i + 6)}`,
      chainId,
      chainSeq: i + 1,
      prevHash: prev,
      hash,
    }
    prev = hash
    return row
  })
}

const url = postgresUrl()
let db: { url: string; drop: () => Promise<void> } | undefined
let runtime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient | AuditLogs, unknown>

beforeAll(async () => {
  db = url === undefined ? undefined : await createTestDatabase(url)
  const client =
    db === undefined
      ? PgliteClient.layer({ ...NAME_TRANSFORMS })
      : PgClient.layerFromPool({
          acquire: acquirePgPool(Redacted.make(db.url), singleConnectionPool()),
          ...NAME_TRANSFORMS,
        })
  runtime = ManagedRuntime.make(AuditLogs.Default.pipe(Layer.provideMerge(Layer.orDie(client))))
  await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, () => runMigrations()))
})
afterAll(async () => {
  await runtime.dispose()
  await db?.drop()
})

/** Writes the rows as one batch in a transaction; how it wrote them. */
const writeBatch = (rows: ReadonlyArray<AuditRecord>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const logs = yield* AuditLogs
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        const batch = yield* logs.batch(rows.length)
        for (const row of rows) batch.add(row)
        yield* batch.write
        return batch.via
      }),
    )
  })

const stored = (chainId: string) =>
  Effect.gen(function* () {
    const logs = yield* AuditLogs
    const all = yield* logs.chainWalk(null, 100_000)
    return all.filter((r) => r.chainId === chainId)
  })

describe("audit batches: COPY on Postgres for large batches, one INSERT otherwise", () => {
  it(`a batch of ${COPY_MIN_ROWS} rows or more goes by ${url === undefined ? "INSERT (PGlite)" : "COPY"}, every value exact`, async () => {
    const rows = records(1500)
    const via = await runtime.runPromise(writeBatch(rows))
    expect(via).toBe(url === undefined ? "insert" : "copy")
    const back = await runtime.runPromise(stored(rows[0]?.chainId ?? ""))
    expect(back).toEqual(rows)
  })

  it("a small batch goes by one INSERT, every value exact", async () => {
    const rows = records(COPY_MIN_ROWS - 1)
    expect(await runtime.runPromise(writeBatch(rows))).toBe("insert")
    expect(await runtime.runPromise(stored(rows[0]?.chainId ?? ""))).toEqual(rows)
  })

  it("a rejected row fails the whole batch with a typed error, writes nothing, and the connection goes on", async () => {
    const rows = records(200)
    const bad = rows.map((r, i) => (i === 150 ? { ...r, actorId: "not-a-uuid" } : r))
    const failed = await runtime.runPromise(Effect.either(writeBatch(bad)))
    expect(failed._tag).toBe("Left")
    if (failed._tag === "Left") expect(["InvalidInput", "DatabaseError"]).toContain(failed.left._tag)
    expect(await runtime.runPromise(stored(rows[0]?.chainId ?? ""))).toEqual([])
    // the same connection (the pool holds one) takes the next batch
    expect(await runtime.runPromise(writeBatch(rows))).toBe(url === undefined ? "insert" : "copy")
    expect(await runtime.runPromise(stored(rows[0]?.chainId ?? ""))).toHaveLength(200)
  })
})

describe("COPY binary encoding", () => {
  const row: AuditRecord = {
    id: "0193A1B2-C3D4-7E5F-8a9b-0c1d2e3f4a5b",
    createdAt: new Date("2000-01-01T00:00:01.250Z"),
    actorId: null,
    tenantId: null,
    targetKind: null,
    targetId: null,
    event: "é",
    outcome: "allow",
    details: {},
    clientIp: null,
    userAgent: null,
    requestId: null,
    chainId: "00000000-0000-4000-8000-000000000001",
    chainSeq: 2 ** 40 + 3,
    prevHash: null,
    hash: "ab".repeat(32),
  }

  it("writes the header, one tuple of 16 fields with each value's bytes, and the trailer", () => {
    const copy = makeAuditCopyRows()
    copy.add(row)
    const out = copy.data()
    expect(out.subarray(0, 11)).toEqual(Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"))
    expect(out.readInt32BE(11)).toBe(0)
    expect(out.readInt32BE(15)).toBe(0)
    let at = 19
    expect(out.readInt16BE(at)).toBe(16)
    at += 2
    const field = (): Buffer | null => {
      const length = out.readInt32BE(at)
      at += 4
      if (length === -1) return null
      const bytes = out.subarray(at, at + length)
      at += length
      return bytes
    }
    expect(field()?.toString("hex")).toBe("0193a1b2c3d47e5f8a9b0c1d2e3f4a5b")
    expect(field()?.readBigInt64BE(0)).toBe(1_250_000n)
    expect([field(), field(), field(), field()]).toEqual([null, null, null, null])
    expect(field()?.toString("utf8")).toBe("é")
    expect(field()?.toString("utf8")).toBe("allow")
    expect(field()).toEqual(Buffer.from([1, 0x7b, 0x7d]))
    expect([field(), field(), field()]).toEqual([null, null, null])
    expect(field()?.toString("hex")).toBe("00000000000040008000000000000001")
    expect(field()?.readBigInt64BE(0)).toBe(2n ** 40n + 3n)
    expect(field()).toBeNull()
    expect(field()?.toString("hex")).toBe("ab".repeat(32))
    expect(out.readInt16BE(at)).toBe(-1)
    expect(at + 2).toBe(out.length)
    expect(copy.size()).toBe(1)
  })

  it("rejects a batch with an id that is not a uuid; writes times before 2000; grows past its first buffer", () => {
    const copy = makeAuditCopyRows()
    copy.add({ ...row, createdAt: new Date("1999-12-31T23:59:59.999Z") })
    expect(copy.data().readBigInt64BE(45)).toBe(-1000n)
    expect(copy.rejected()).toBeNull()
    copy.add({ ...row, targetId: "not-a-uuid" })
    copy.add({ ...row, actorId: "{0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}" })
    expect(copy.rejected()).toBe("target_id is not a uuid")
    // rows with every uuid set and almost no text, past the first buffer: each tuple whole, in order
    const small = makeAuditCopyRows()
    const ids = { actorId: row.id, tenantId: row.chainId, targetId: row.id, event: "e", outcome: "deny" as const }
    for (let i = 0; i < 3000; i++) small.add({ ...row, ...ids, chainSeq: i + 1 })
    const out = small.data()
    let at = 19
    let tuples = 0
    for (let count = out.readInt16BE(at); count !== -1; count = out.readInt16BE(at)) {
      expect(count).toBe(16)
      at += 2
      for (let f = 0; f < 16; f++) {
        const length = out.readInt32BE(at)
        at += 4 + Math.max(0, length)
        if (f === 13) expect(out.readInt32BE(at - 4)).toBe(tuples + 1)
      }
      tuples++
    }
    expect(tuples).toBe(3000)
    expect(at + 2).toBe(out.length)
    const big = makeAuditCopyRows()
    for (let i = 0; i < 100; i++) big.add({ ...row, userAgent: "x".repeat(5000) })
    expect(big.data().length).toBeGreaterThan(500_000)
    expect(big.data().readInt16BE(big.data().length - 2)).toBe(-1)
    expect(big.rejected()).toBeNull()
  })

  it("frames data as CopyData messages of at most 64 KiB, then CopyDone", () => {
    const data = Buffer.alloc(64 * 1024 + 10, 0x41)
    const out = copyFrames(data)
    expect(out.length).toBe(data.length + 5 * 2 + 5)
    expect(String.fromCharCode(out[0] ?? 0)).toBe("d")
    expect(out.readInt32BE(1)).toBe(64 * 1024 + 4)
    const second = 5 + 64 * 1024
    expect(String.fromCharCode(out[second] ?? 0)).toBe("d")
    expect(out.readInt32BE(second + 1)).toBe(14)
    expect(String.fromCharCode(out[out.length - 5] ?? 0)).toBe("c")
    expect(out.readInt32BE(out.length - 4)).toBe(4)
    expect(copyFrames(Buffer.alloc(0))).toEqual(Buffer.from([0x63, 0, 0, 0, 4]))
  })
})
