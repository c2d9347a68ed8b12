import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { makeEventBuffer } from "../../src/audit/eventBuffer.js"

describe("the audit queue's event buffer", () => {
  it("keeps order, refuses offers beyond its capacity and hands out batches from the front", () => {
    const buffer = makeEventBuffer<number>(3)
    expect([1, 2, 3, 4].map((n) => buffer.offer(n))).toEqual([true, true, true, false])
    expect(buffer.size()).toBe(3)
    expect(buffer.takeUpTo(2)).toEqual([1, 2])
    expect(buffer.offer(5)).toBe(true)
    expect(buffer.takeUpTo(10)).toEqual([3, 5])
    expect(buffer.takeUpTo(10)).toEqual([])
    expect(buffer.takeUpTo(-1)).toEqual([])
    expect(buffer.size()).toBe(0)
  })

  it("stays in order across many partial takes (the front gap is cut off as it grows)", () => {
    const buffer = makeEventBuffer<number>(100_000)
    let next = 0
    let expected = 0
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1000; i++) buffer.offer(next++)
      for (const n of buffer.takeUpTo(700)) expect(n).toBe(expected++)
    }
    expect(buffer.size()).toBe(next - expected)
    for (const n of buffer.takeUpTo(100_000)) expect(n).toBe(expected++)
    expect(expected).toBe(next)
  })

  it("lets a writer wait until something is offered; a writer interrupted while waiting takes nothing", async () => {
    const buffer = makeEventBuffer<string>(10)
    const woke = await Effect.runPromise(
      Effect.gen(function* () {
        const waiter = yield* Effect.fork(
          Effect.zipRight(
            buffer.nonEmpty,
            Effect.sync(() => buffer.takeUpTo(10)),
          ),
        )
        yield* Effect.yieldNow()
        expect(buffer.offer("a")).toBe(true)
        return yield* Fiber.join(waiter)
      }),
    )
    expect(woke).toEqual(["a"])
    expect(buffer.size()).toBe(0)

    await Effect.runPromise(
      Effect.gen(function* () {
        const waiter = yield* Effect.fork(buffer.nonEmpty)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(waiter)
      }),
    )
    // an offer after the interruption leaves the item for the next writer
    expect(buffer.offer("b")).toBe(true)
    expect(buffer.size()).toBe(1)
    // already non-empty: no wait at all
    await Effect.runPromise(buffer.nonEmpty)
  })
})
