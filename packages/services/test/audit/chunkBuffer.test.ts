import type { AuditEvent } from "@atom/domain/audit"
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { chunkEvents, type EncodedEvents } from "../../src/audit/auditChunkCodec.js"
import { makeChunkBuffer } from "../../src/audit/chunkBuffer.js"
import { queuedEventName } from "../../src/audit/queuedEvent.js"
import { testEvent } from "./fixtures/unreachableWriter.js"

const event = (n: number): AuditEvent => ({ event: `test.e${n}`, outcome: "allow", details: { n } })
const names = (chunks: ReadonlyArray<EncodedEvents>) => chunks.flatMap((c) => chunkEvents(c).map(queuedEventName))

describe("the audit queue's chunk buffer", () => {
  it("keeps order, refuses offers beyond its capacity and hands out whole chunks from the front", () => {
    const buffer = makeChunkBuffer(5, 2)
    const offered = [1, 2, 3, 4].map((n) => buffer.offerRaw(event(n), 1_000 + n, {}))
    offered.push(buffer.offerPrepared(testEvent("test.e5")))
    expect([...offered, buffer.offerRaw(event(6), 1_006, {})]).toEqual([true, true, true, true, true, false])
    expect(buffer.size()).toBe(5)
    // whole chunks of two: three events would split the second, one the first
    expect(buffer.takeUpTo(1)).toEqual([])
    const first = buffer.takeUpTo(3)
    expect(first.map((c) => c.count)).toEqual([2])
    expect(names(first)).toEqual(["test.e1", "test.e2"])
    expect(buffer.offerRaw(event(7), 1_007, {})).toBe(true)
    // the chunk being filled (e5, e7) leaves with the sealed one
    const rest = buffer.takeUpTo(10)
    expect(names(rest)).toEqual(["test.e3", "test.e4", "test.e5", "test.e7"])
    expect(buffer.takeUpTo(10)).toEqual([])
    expect(buffer.takeUpTo(-1)).toEqual([])
    expect(buffer.size()).toBe(0)
  })

  it("holds raw events as columns: ids drawn at the offer, times and details as queued", () => {
    const buffer = makeChunkBuffer(10, 10)
    buffer.offerRaw(event(1), 1_700_000_000_000, { requestId: "r-1" })
    const [chunk] = buffer.takeUpTo(10)
    const [raw] = chunk === undefined ? [] : chunkEvents(chunk)
    expect(raw !== undefined && "kind" in raw ? [raw.nowMs, raw.source.details, raw.request.requestId] : null).toEqual([
      1_700_000_000_000,
      { n: 1 },
      "r-1",
    ])
    expect(raw?.id.slice(0, 15)).toBe("018bcfe5-6800-7")
    // a chunk sealed before it filled carries only what it holds
    expect(chunk?.cells.length).toBe(13)
  })

  it("stays in order across many partial takes (the front gap is cut off as it grows)", () => {
    const buffer = makeChunkBuffer(100_000, 200)
    let next = 0
    let expected = 0
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 1000; i++) buffer.offerRaw(event(next++), 0, {})
      for (const name of names(buffer.takeUpTo(700))) expect(name).toBe(`test.e${expected++}`)
    }
    expect(buffer.size()).toBe(next - expected)
    for (const name of names(buffer.takeUpTo(100_000))) expect(name).toBe(`test.e${expected++}`)
    expect(expected).toBe(next)
  })

  it("lets a writer wait until something is offered; a writer interrupted while waiting takes nothing", async () => {
    const buffer = makeChunkBuffer(10, 5)
    const woke = await Effect.runPromise(
      Effect.gen(function* () {
        const waiter = yield* Effect.fork(
          Effect.zipRight(
            buffer.nonEmpty,
            Effect.sync(() => buffer.takeUpTo(10)),
          ),
        )
        yield* Effect.yieldNow()
        expect(buffer.offerRaw(event(1), 0, {})).toBe(true)
        return yield* Fiber.join(waiter)
      }),
    )
    expect(names(woke)).toEqual(["test.e1"])
    expect(buffer.size()).toBe(0)

    await Effect.runPromise(
      Effect.gen(function* () {
        const waiter = yield* Effect.fork(buffer.nonEmpty)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(waiter)
      }),
    )
    // an offer after the interruption leaves the event for the next writer
    expect(buffer.offerRaw(event(2), 0, {})).toBe(true)
    expect(buffer.size()).toBe(1)
    // already non-empty: no wait at all
    await Effect.runPromise(buffer.nonEmpty)
  })
})
