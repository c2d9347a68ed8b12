import { Effect } from "effect"

/**
 * Lets the event loop run (I/O callbacks, so requests that arrived meanwhile) before going on: a macrotask
 * turn through `setImmediate`. `Effect.yieldNow` is not enough for that: Effect's scheduler resumes on a
 * microtask, which runs before any I/O.
 */
export const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Most main-thread time a writer's slice of work takes before it yields (`forEachInSlices`). */
export const SLICE_BUDGET_MS = 1

/**
 * Runs `f` over `items` in order, synchronously, but yields to the event loop whenever a slice has run for
 * `budgetMs`: a long batch of CPU work (linking and encoding audit rows) then delays a request that arrives
 * meanwhile by about one slice instead of the whole batch.
 */
export const forEachInSlices = <A>(
  items: ReadonlyArray<A>,
  f: (item: A) => void,
  budgetMs: number = SLICE_BUDGET_MS,
): Effect.Effect<void> =>
  Effect.gen(function* () {
    let sliceStart = performance.now()
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      if (item !== undefined) f(item)
      if (i + 1 < items.length && performance.now() - sliceStart >= budgetMs) {
        yield* yieldToEventLoop
        sliceStart = performance.now()
      }
    }
  })
