import { Effect } from "effect"

/**
 * The audit queue's store: a bounded FIFO whose offer is synchronous and never waits (a full buffer
 * refuses), whose batches are taken at once, and on which a writer can wait until something is there.
 * Effect's Queue gave the same with a Chunk built element by element for every batch taken (prepends,
 * then a reverse): about 2 KB of garbage per event on the event loop at 15,000 events/s
 * (bench/scenarios/auditPaced.ts, heap sampling). Here a batch is one array slice.
 */
export interface EventBuffer<A> {
  /** Adds at the back; false (and nothing added) when the buffer holds `capacity` items. */
  readonly offer: (item: A) => boolean
  readonly size: () => number
  /** Removes and answers up to `max` items from the front (none when empty). */
  readonly takeUpTo: (max: number) => Array<A>
  /** Completes when the buffer holds at least one item (at once if it does); interruptible. */
  readonly nonEmpty: Effect.Effect<void>
}

/** Taken items leave a gap at the front; it is cut off once it is this long and half the array. */
const COMPACT_AFTER = 4096

export const makeEventBuffer = <A>(capacity: number): EventBuffer<A> => {
  let items: Array<A> = []
  let head = 0
  let waiting: Array<() => void> = []

  const size = () => items.length - head

  const offer = (item: A): boolean => {
    if (size() >= capacity) return false
    items.push(item)
    if (waiting.length > 0) {
      const wake = waiting
      waiting = []
      for (const resume of wake) resume()
    }
    return true
  }

  const takeUpTo = (max: number): Array<A> => {
    const n = Math.min(Math.max(0, max), size())
    if (n === 0) return []
    const taken = items.slice(head, head + n)
    head += n
    if (head === items.length) {
      items = []
      head = 0
    } else if (head >= COMPACT_AFTER && head * 2 >= items.length) {
      items = items.slice(head)
      head = 0
    }
    return taken
  }

  const nonEmpty = Effect.async<void>((resume) => {
    if (size() > 0) {
      resume(Effect.void)
      return
    }
    const wake = () => resume(Effect.void)
    waiting.push(wake)
    return Effect.sync(() => {
      waiting = waiting.filter((w) => w !== wake)
    })
  })

  return { offer, size, takeUpTo, nonEmpty }
}
