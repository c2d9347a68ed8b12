// The PGlite adapter's named prepared statements: answers identical to PGlite.query (types, nulls, errors),
// one statement per SQL text, LRU eviction closes statements, and DDL changing result columns is survived.
import { SqlClient } from "@effect/sql"
import type { PGlite } from "@electric-sql/pglite"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as PgliteClient from "../../src/db/PgliteClient.js"
import { makePreparedStatements } from "../../src/db/PglitePrepared.js"

// one embedded database for the file: the adapter's own, and its raw handle for the cases below
const runtime = ManagedRuntime.make(PgliteClient.layer({}).pipe(Layer.orDie))
let db: PGlite

const preparedNames = async (): Promise<Array<string>> =>
  (await db.query<{ name: string }>("SELECT name FROM pg_prepared_statements ORDER BY name")).rows.map((r) => r.name)

beforeAll(async () => {
  db = await runtime.runPromise(PgliteClient.Pglite)
  await db.exec(`
    CREATE TABLE typed (
      id int4 PRIMARY KEY, big int8, doc json, docb jsonb, at timestamptz, raw bytea,
      tags text[], nums int8[], flag boolean, amount numeric, uid uuid, note text UNIQUE
    )`)
})
afterAll(async () => {
  await runtime.dispose()
})

describe("the PGlite session", () => {
  it("does not zero-fill new WAL segments (each fill stalled every statement for ~50 ms)", async () => {
    expect((await db.query<{ wal_init_zero: string }>("SHOW wal_init_zero")).rows[0]?.wal_init_zero).toBe("off")
  })
})

describe("PGlite prepared statements", () => {
  const insert =
    "INSERT INTO typed (id, big, doc, docb, at, raw, tags, nums, flag, amount, uid, note) " +
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *"
  const row = (id: number, note: string | null) => [
    id,
    "9007199254740993",
    { a: [1, "x"], b: null },
    { nested: { k: true } },
    new Date("2024-02-29T12:34:56.789Z"),
    new Uint8Array([0, 1, 254, 255]),
    ["a", "b,c", 'q"uote', null],
    ["1", "-9223372036854775808"],
    true,
    "12345.678900",
    "0b9e8c7a-1d2e-4f30-8a4b-5c6d7e8f9a0b",
    note,
  ]

  it("binds and parses every type as PGlite.query does (objects and arrays, nulls)", async () => {
    const prepared = makePreparedStatements(db)
    const viaPrepared = await prepared.run(insert, row(1, "one"))
    const viaQuery = await db.query<Record<string, unknown>>(insert, row(2, "two"))
    expect(viaPrepared.rows[0]).toEqual({ ...viaQuery.rows[0], id: 1, note: "one" })
    expect(viaPrepared.affectedRows).toBe(1)
    expect(viaPrepared.fields).toEqual(viaQuery.fields)

    const nulls = Array.from({ length: 12 }, (_, i) => (i === 0 ? 3 : null))
    expect((await prepared.run(insert, nulls)).rows).toEqual(
      (await db.query<Record<string, unknown>>(insert, [4, ...nulls.slice(1)])).rows.map((r) => ({ ...r, id: 3 })),
    )

    const select = "SELECT * FROM typed WHERE id = ANY($1::int4[]) ORDER BY id"
    expect(await prepared.run(select, [[1, 2, 3, 4]])).toEqual(await db.query(select, [[1, 2, 3, 4]]))
    expect((await prepared.run(select, [[1, 3]], "array")).rows).toEqual(
      (await db.query(select, [[1, 3]], { rowMode: "array" })).rows,
    )
    const first = (await prepared.run(select, [[1]])).rows[0]
    expect(first?.big).toBe("9007199254740993")
    expect(first?.raw).toEqual(new Uint8Array([0, 1, 254, 255]))
    expect(first?.at).toEqual(new Date("2024-02-29T12:34:56.789Z"))
    expect(first?.tags).toEqual(["a", "b,c", 'q"uote', null])
  })

  it("parses a SQL text once and reuses it; the LRU closes what it evicts", async () => {
    const prepared = makePreparedStatements(db, 3)
    const before = (await preparedNames()).length
    for (let i = 0; i < 3; i++) await prepared.run("SELECT $1::int4 + 1 AS n", [i])
    expect(prepared.size()).toBe(1)
    expect((await preparedNames()).length).toBe(before + 1)
    for (let i = 0; i < 5; i++)
      expect((await prepared.run(`SELECT $1::int4 + ${i} AS n`, [1])).rows).toEqual([{ n: 1 + i }])
    expect(prepared.size()).toBe(3)
    // the closes of evicted statements ride on the next round trip
    await prepared.run("SELECT $1::int4 + 4 AS n", [1])
    expect((await preparedNames()).length).toBe(before + 3)
  })

  it("reports errors as PGlite.query does and keeps working after a failed transaction", async () => {
    const prepared = makePreparedStatements(db)
    const failure = await prepared.run(insert, row(10, "one")).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(failure).toMatchObject({ code: "23505", query: insert })
    await db.exec("BEGIN")
    await expect(prepared.run(insert, row(11, "one"))).rejects.toMatchObject({ code: "23505" })
    await expect(prepared.run("SELECT $1::int4 AS n", [1])).rejects.toMatchObject({ code: "25P02" })
    await db.exec("ROLLBACK")
    expect((await prepared.run("SELECT $1::int4 AS n", [1])).rows).toEqual([{ n: 1 }])
    await expect(prepared.run("SELECT nope FROM typed WHERE id = $1", [1])).rejects.toMatchObject({ code: "42703" })
  })

  it("re-prepares once when DDL changed a statement's result columns", async () => {
    await db.exec("CREATE TABLE shifting (id int4 PRIMARY KEY, a text); INSERT INTO shifting VALUES (1, 'x')")
    const prepared = makePreparedStatements(db)
    const select = "SELECT * FROM shifting WHERE id = $1"
    expect((await prepared.run(select, [1])).rows).toEqual([{ id: 1, a: "x" }])
    await db.exec("ALTER TABLE shifting ADD COLUMN b text DEFAULT 'y'")
    expect((await prepared.run(select, [1])).rows).toEqual([{ id: 1, a: "x", b: "y" }])
    // inside a transaction the stale plan aborts it; the next run (after rollback) prepares afresh
    await db.exec("ALTER TABLE shifting DROP COLUMN a")
    await db.exec("BEGIN")
    await expect(prepared.run(select, [1])).rejects.toMatchObject({ code: "0A000" })
    await db.exec("ROLLBACK")
    expect((await prepared.run(select, [1])).rows).toEqual([{ id: 1, b: "y" }])
  })

  it("through the SqlClient: DDL on the simple protocol forgets the statements, so a transaction never meets a stale plan", async () => {
    const rows = await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE t (id int4 PRIMARY KEY, a text)`
        yield* sql`INSERT INTO t ${sql.insert({ id: 1, a: "x" })}`
        const read = sql`SELECT * FROM t WHERE id = ${1}`
        const first = yield* read
        yield* sql`ALTER TABLE t ADD COLUMN b int8 DEFAULT 7`
        const second = yield* sql.withTransaction(read)
        return [first, second]
      }),
    )
    expect(rows).toEqual([[{ id: 1, a: "x" }], [{ id: 1, a: "x", b: "7" }]])
  })
})
