import { Effect } from "effect"

// A lane for work that may wait behind everything else on the event loop (a password login's database
// statements and token signing, which cost milliseconds, while a Check costs microseconds). A fiber that
// takes a turn resumes from `setImmediate`, one fiber per event-loop iteration: between two turns Node
// runs its timers and polls for I/O, so a request that arrived meanwhile is served before the next piece of
// low-priority work, however many logins are queued. A turn lasts until the fiber's next asynchronous
// step (a worker's hash, the next turn). `Effect.yieldNow` would not do: Effect resumes on a microtask,
// ahead of any I/O.

const waiting: Array<() => void> = []
let scheduled = false

const runOne = () => {
  scheduled = false
  const next = waiting.shift()
  if (waiting.length > 0) schedule()
  next?.()
}

const schedule = () => {
  if (scheduled) return
  scheduled = true
  setImmediate(runOne)
}

/** Waits for this fiber's turn in the low-priority lane (see above). Interrupted, it leaves the queue. */
export const lowPriorityTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const go = () => resume(Effect.void)
  waiting.push(go)
  schedule()
  return Effect.sync(() => {
    const i = waiting.indexOf(go)
    if (i >= 0) waiting.splice(i, 1)
  })
})

/** Fibers waiting for a turn (for tests and metrics). */
export const lowPriorityWaiting = (): number => waiting.length
