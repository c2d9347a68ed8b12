import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, postgresUrl, singleConnectionPool } from "../../../server/test/support/testDatabase.js"
import { MAX_NAMED_PER_CONNECTION } from "../../src/db/frequentStatements.js"
import { acquirePgPool, NAME_TRANSFORMS } from "../../src/db/PostgresPool.js"

/** Runs the program on a pool of its own (one connection), disposed after. */
const runOn = async <A, E>(
  url: string,
  preparedStatements: boolean,
  program: Effect.Effect<A, E, SqlClient.SqlClient>,
): Promise<A> => {
  const runtime = ManagedRuntime.make(
    PgClient.layerFromPool({
      acquire: acquirePgPool(Redacted.make(url), singleConnectionPool(preparedStatements)),
      ...NAME_TRANSFORMS,
    }).pipe(Layer.orDie),
  )
  try {
    return await runtime.runPromise(program)
  } finally {
    await runtime.dispose()
  }
}

const preparedTexts = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.pipe(
    Effect.map((rows) => rows.map((r) => r.statement)),
  ),
)

/** Postgres only: PGlite runs its own statement cache (pglitePrepared.test). */
describe.runIf(postgresUrl())("frequent statements become named prepared statements (Postgres)", () => {
  let db: { url: string; drop: () => Promise<void> }
  beforeAll(async () => {
    db = await createTestDatabase(postgresUrl() ?? "")
  })
  afterAll(() => db.drop())

  it("names a parameterised text from its third call on, and runs it by name after that", async () => {
    const texts = await runOn(
      db.url,
      true,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const once = (n: number) => sql<{ v: number }>`SELECT ${n}::int + 1 AS v`
        const before: Array<ReadonlyArray<string>> = []
        for (let i = 1; i <= 5; i++) {
          const [row] = yield* once(i)
          expect(row?.v).toBe(i + 1)
          before.push(yield* preparedTexts)
        }
        // no parameters: the simple protocol, never named (a text may hold several statements)
        for (let i = 0; i < 5; i++) yield* sql`SELECT 1 AS one`
        return { before, after: yield* preparedTexts }
      }),
    )
    const isOurs = (t: string) => t.includes("$1::int + 1")
    expect(texts.before.map((list) => list.filter(isOurs).length)).toEqual([0, 0, 1, 1, 1])
    expect(texts.after.some((t) => t.includes("SELECT 1 AS one"))).toBe(false)
  })

  it("stays unnamed when switched off", async () => {
    const texts = await runOn(
      db.url,
      false,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        for (let i = 0; i < 6; i++) yield* sql`SELECT ${i}::int * 2 AS v`
        return yield* preparedTexts
      }),
    )
    expect(texts).toEqual([])
  })

  it("names at most the per-connection bound", async () => {
    const count = await runOn(
      db.url,
      true,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        for (let k = 0; k < MAX_NAMED_PER_CONNECTION + 20; k++)
          for (let i = 0; i < 3; i++) yield* sql`SELECT ${i}::int + ${sql.literal(String(k))} AS v`
        return (yield* preparedTexts).length
      }),
    )
    expect(count).toBe(MAX_NAMED_PER_CONNECTION)
  })

  it("recovers after DDL changes a named statement's result columns: one failure, then parsed again", async () => {
    const outcome = await runOn(
      db.url,
      true,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE stale_plan (id int PRIMARY KEY, a text)`
        yield* sql`INSERT INTO stale_plan VALUES (1, 'x')`
        const read = sql<Record<string, unknown>>`SELECT * FROM stale_plan WHERE id = ${1}`
        for (let i = 0; i < 4; i++) yield* read
        yield* sql`ALTER TABLE stale_plan ADD COLUMN b text DEFAULT 'y'`
        const failed = yield* Effect.either(read)
        const again = yield* read
        return { failed: failed._tag, again }
      }),
    )
    expect(outcome.failed).toBe("Left")
    expect(outcome.again).toEqual([{ id: 1, a: "x", b: "y" }])
  })
})
