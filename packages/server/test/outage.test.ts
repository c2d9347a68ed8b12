import { fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hasPostgresBinaries, startPrivatePostgres } from "./support/privatePostgres.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

type PrivatePostgres = Awaited<ReturnType<typeof startPrivatePostgres>>

const readiness = async (t: TestAtom) => {
  const res = await fetch(`${t.baseUrl}/health/ready`)
  return { status: res.status, body: await res.json() }
}

const until = async <A>(probe: () => Promise<A>, ok: (a: A) => boolean, budgetMs: number): Promise<A> => {
  const started = Date.now()
  let last = await probe()
  while (!ok(last) && Date.now() - started < budgetMs) {
    await new Promise((r) => setTimeout(r, 200))
    last = await probe()
  }
  return last
}

// Runs in every pass: it brings its own Postgres (the Debian binaries on a temp folder and port).
describe.runIf(hasPostgresBinaries)("database outage on Postgres", () => {
  let pg: PrivatePostgres
  let t: TestAtom
  const query = () =>
    t.atom.runtime.runPromise(
      Effect.either(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT 1 AS one`).pipe(Effect.mapError(fromSqlError)),
      ),
    )

  beforeAll(async () => {
    pg = await startPrivatePostgres()
    t = await startTestAtom({ DATABASE_URL: pg.url, ATOM_DB_CONNECT_TIMEOUT_SECS: "2" }, { ownDatabase: true })
  })
  afterAll(async () => {
    await t?.close()
    pg?.destroy()
  })

  it("turns readiness 503 while Postgres is away, fails requests with Unavailable, and recovers by itself", async () => {
    expect((await readiness(t)).status).toBe(200)

    pg.stop()
    const down = await until(
      () => readiness(t),
      (r) => r.status === 503,
      10_000,
    )
    expect(down.status).toBe(503)
    expect(down.body.status).toBe("error")
    expect(down.body.database).toEqual({ status: "error", message: "database unreachable" })
    const failed = await query()
    expect(Either.isLeft(failed) && failed.left._tag).toBe("Unavailable")

    pg.start()
    const up = await until(
      () => readiness(t),
      (r) => r.status === 200,
      15_000,
    )
    expect(up.status).toBe(200)
    expect(up.body.database.status).toBe("ok")
    const recovered = await query()
    expect(Either.isRight(recovered)).toBe(true)
  })
})
