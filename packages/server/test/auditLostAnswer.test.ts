import { InvalidInput, Unavailable } from "@atom/domain/errors"
import { AuditChains, AuditLaneWriter, AuditQueue, chunkEvents, verifyAuditChains } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
beforeAll(async () => {
  t = await startTestAtom({ ATOM_AUDIT_RETENTION_ENABLED: "false" })
})
afterAll(async () => {
  await t?.close()
})

/**
 * A lane writer whose first `lose` batches commit and then report an outage, as when a connection or the
 * writer process dies between COMMIT and its answer.
 */
const answersLost = (lose: number) =>
  Layer.effect(
    AuditLaneWriter,
    Effect.map(AuditChains, (chains) => {
      let left = lose
      return {
        append: (chunks, lane, sliceMs) =>
          Effect.flatMap(chains.append(chunks.flatMap(chunkEvents), { relaxed: true, lane, sliceMs }), () =>
            left-- > 0 ? Effect.fail(new Unavailable({ message: "database unavailable: answer lost" })) : Effect.void,
          ),
      } satisfies Context.Tag.Service<AuditLaneWriter>
    }),
  )

/** A lane writer that refuses (not an outage: a bad row) every batch holding the event whose details say `i: bad`. */
const refusing = (refused: number) =>
  Layer.effect(
    AuditLaneWriter,
    Effect.map(
      AuditChains,
      (chains) =>
        ({
          append: (chunks, lane, sliceMs) =>
            Effect.suspend(() => {
              const events = chunks.flatMap(chunkEvents)
              const bad = events.some((e) => ("kind" in e ? e.source.details : e.details)?.i === refused)
              return bad
                ? Effect.fail(new InvalidInput({ message: "value too long for type" }))
                : Effect.asVoid(chains.append(events, { relaxed: true, lane, sliceMs }))
            }),
        }) satisfies Context.Tag.Service<AuditLaneWriter>,
    ),
  )

describe("a queued batch with a row the database refuses", () => {
  it("is written row by row: only that row is dropped and counted, the others are stored once", async () => {
    const EVENTS = 250
    const BAD = 137
    const outcome = await t.atom.runtime.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          // chunks of 200 events: the refused one sits inside a chunk that is split to find it
          const context = yield* Layer.build(
            AuditQueue.writingTo(refusing(BAD), { writers: 1, batchSize: 300, lingerMs: 50, retryMin: "10 millis" }),
          )
          const queue = Context.get(context, AuditQueue)
          yield* queue.enqueueAll(
            Array.from({ length: EVENTS }, (_, i) => ({ event: "test.refused_row", outcome: "deny", details: { i } })),
          )
          const flushed = yield* queue.flush("20 seconds")
          const sql = yield* SqlClient.SqlClient
          const [counts] = yield* sql<{ rows: number; distinctI: number; bad: number }>`
            SELECT count(*)::int AS rows, count(DISTINCT details->>'i')::int AS distinct_i,
                   count(*) FILTER (WHERE details->>'i' = ${String(BAD)})::int AS bad
            FROM audit_logs WHERE event = 'test.refused_row'`
          return { flushed, stats: queue.stats(), counts }
        }),
      ),
    )
    expect(outcome.flushed).toBe(true)
    expect(outcome.counts).toEqual({ rows: EVENTS - 1, distinctI: EVENTS - 1, bad: 0 })
    expect(outcome.stats.dropped).toBe(1)
    expect(outcome.stats.written).toBe(EVENTS - 1)
    const verified = await t.atom.runtime.runPromise(verifyAuditChains)
    expect(verified.broken).toEqual([])
  }, 60_000)
})

describe("a queued batch whose commit landed but whose answer was lost (issue 6: nothing lost, nothing twice)", () => {
  it("is not written again nor counted as dropped; every event is stored once and the chain verifies", async () => {
    const EVENTS = 300
    const outcome = await t.atom.runtime.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(
            AuditQueue.writingTo(answersLost(2), { writers: 1, batchSize: 100, lingerMs: 0, retryMin: "10 millis" }),
          )
          const queue = Context.get(context, AuditQueue)
          for (let i = 0; i < EVENTS; i++)
            yield* queue.enqueue({ event: "test.lost_answer", outcome: "deny", details: { i } })
          const flushed = yield* queue.flush("20 seconds")
          const sql = yield* SqlClient.SqlClient
          const [counts] = yield* sql<{ rows: number; distinct: number; distinctI: number }>`
            SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct,
                   count(DISTINCT details->>'i')::int AS distinct_i
            FROM audit_logs WHERE event = 'test.lost_answer'`
          return { flushed, stats: queue.stats(), counts }
        }),
      ),
    )
    expect(outcome.flushed).toBe(true)
    expect(outcome.counts).toEqual({ rows: EVENTS, distinct: EVENTS, distinctI: EVENTS })
    expect(outcome.stats.dropped).toBe(0)
    expect(outcome.stats.written).toBe(EVENTS)
    expect(outcome.stats.failing).toBe(false)
    const verified = await t.atom.runtime.runPromise(verifyAuditChains)
    expect(verified.broken).toEqual([])
  }, 60_000)
})
