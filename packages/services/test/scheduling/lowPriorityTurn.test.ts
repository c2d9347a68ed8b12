import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { lowPriorityTurn, lowPriorityWaiting } from "../../src/scheduling/lowPriorityTurn.js"

const busy = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // the synchronous work a turn stands for (a PGlite statement, a signature)
  }
}

describe("lowPriorityTurn", () => {
  it.effect("lets timers and I/O run between two turns, however many fibers wait", () =>
    Effect.gen(function* () {
      let turns = 0
      let turnsWhenTimerFired = -1
      const fibers = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        () =>
          Effect.fork(
            Effect.gen(function* () {
              yield* lowPriorityTurn
              busy(2)
              turns++
            }),
          ),
      )
      setTimeout(() => {
        turnsWhenTimerFired = turns
      }, 0)
      yield* Fiber.joinAll(fibers)
      expect(turns).toBe(20)
      // the timer waited for at most a turn or two, not for all twenty (40 ms of work) as microtask yields would make it
      expect(turnsWhenTimerFired).toBeGreaterThanOrEqual(0)
      expect(turnsWhenTimerFired).toBeLessThanOrEqual(2)
    }),
  )

  it.effect("an interrupted fiber leaves the lane", () =>
    Effect.gen(function* () {
      const waiter = yield* Effect.fork(lowPriorityTurn)
      yield* Effect.yieldNow()
      expect(lowPriorityWaiting()).toBe(1)
      yield* Fiber.interrupt(waiter)
      expect(lowPriorityWaiting()).toBe(0)
      // the lane keeps serving the next fiber
      yield* lowPriorityTurn
    }),
  )
})
