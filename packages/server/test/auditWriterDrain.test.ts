import { AuditLog, AuditQueue } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import Pg from "pg"
import { describe, expect, it } from "vitest"
import { runAuditVerifyCommand } from "../src/auditVerify.js"
import { startTestAtom } from "./support/startTestAtom.js"
import { postgresUrl } from "./support/testDatabase.js"

/**
 * Issue 6 on Postgres: the hot-path queue's batches are linked and written by a child process on
 * connections of its own, while change events are written by the server in request transactions.
 */
describe.runIf(postgresUrl())("audit writer process (Postgres)", () => {
  it("interleaves with in-transaction events, drains on stop, and every chain verifies", async () => {
    const t = await startTestAtom({ ATOM_AUDIT_RETENTION_ENABLED: "false" })
    const databaseUrl = t.config.databaseUrl
    if (databaseUrl._tag !== "Some") throw new Error("expected DATABASE_URL")
    const QUEUED = 12_000
    const IN_TX = 150
    const client = new Pg.Client({ connectionString: Redacted.value(databaseUrl.value) })
    await client.connect()
    const depth = await t.atom.runtime.runPromise(
      Effect.gen(function* () {
        const queue = yield* AuditQueue
        const log = yield* AuditLog
        const sql = yield* SqlClient.SqlClient
        const enqueueSome = (from: number) =>
          Effect.gen(function* () {
            for (let i = from; i < from + QUEUED / 4; i++)
              yield* queue.enqueue({ event: "test.queued", outcome: "deny", details: { i } })
          })
        // change events in their own transactions (the server's pooled chains), some rolled back
        const change = (i: number) =>
          sql
            .withTransaction(
              Effect.zipRight(
                log.recordInTx({ event: "test.change", outcome: "allow", details: { i } }),
                i % 10 === 0 ? Effect.fail(new Error("rolled back")) : Effect.void,
              ),
            )
            .pipe(Effect.ignore)
        yield* Effect.all(
          [
            Effect.forEach([0, 1, 2, 3], (k) => Effect.zipRight(Effect.sleep(k * 5), enqueueSome((k * QUEUED) / 4)), {
              concurrency: "unbounded",
              discard: true,
            }),
            Effect.forEach(
              Array.from({ length: IN_TX }, (_, i) => i),
              change,
              { concurrency: 8, discard: true },
            ),
          ],
          { concurrency: "unbounded" },
        )
        return queue.stats().depth
      }),
    )
    try {
      // still queued when the stop begins: the shutdown drain must write it through the writer process
      expect(depth).toBeGreaterThan(0)
      // the queue writes through the writer's own connections (it connects once it has loaded)
      const writerConnections = async () =>
        (
          await client.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'atom-audit'",
          )
        ).rows[0]?.n ?? 0
      const until = Date.now() + 30_000
      while ((await writerConnections()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(await writerConnections()).toBeGreaterThan(0)
      await t.atom.stop(10_000)

      const counts = await client.query<{ event: string; n: number; chains: number }>(
        `SELECT event, count(*)::int AS n, count(DISTINCT chain_id)::int AS chains FROM audit_logs
         WHERE event IN ('test.queued', 'test.change') GROUP BY event ORDER BY event`,
      )
      expect(counts.rows).toEqual([
        { event: "test.change", n: IN_TX - IN_TX / 10, chains: expect.any(Number) },
        { event: "test.queued", n: QUEUED, chains: expect.any(Number) },
      ])
      // the writer's lanes and the server's pooled chains are apart
      const shared = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT chain_id FROM audit_logs WHERE event = 'test.queued'
         INTERSECT SELECT chain_id FROM audit_logs WHERE event = 'test.change') x`,
      )
      expect(shared.rows[0]?.n).toBe(0)
    } finally {
      await client.end()
    }
    expect(await runAuditVerifyCommand(t.config)).toBe(0)
    await t.close()
  }, 180_000)
})
