import type { AuditEvent, AuditRequestInfo, PreparedAuditEvent } from "@atom/domain/audit"
import { Effect } from "effect"
import { type EncodedEvents, makeChunkBuilder } from "./auditChunkCodec.js"

/**
 * The audit queue's store: a bounded FIFO of events written straight into chunks (`auditChunkCodec.ts`), so
 * what waits for the database is columns, not an object per event. Offers are synchronous and never wait (a
 * full buffer refuses); a writer takes whole chunks at once, the chunk still being filled included, and can
 * wait until something is there. (Effect's Queue built a Chunk element by element for every batch taken:
 * about 2 KB of garbage per event at 15,000 events/s.)
 */
export interface ChunkBuffer {
  /** Adds a raw event (its id drawn now) at the back; false (and nothing added) when the buffer is full. */
  readonly offerRaw: (source: AuditEvent, nowMs: number, request: AuditRequestInfo) => boolean
  readonly offerPrepared: (event: PreparedAuditEvent) => boolean
  /** events held */
  readonly size: () => number
  /**
   * Removes and answers whole chunks from the front, at most `max` events in all (none when empty, or when
   * the first chunk does not fit: a batch of at least the chunk size always takes one).
   */
  readonly takeUpTo: (max: number) => Array<EncodedEvents>
  /** Completes when the buffer holds at least one event (at once if it does); interruptible. */
  readonly nonEmpty: Effect.Effect<void>
}

/** Taken chunks leave a gap at the front; it is cut off once it is this long and half the array. */
const COMPACT_AFTER = 256

/** `capacity` events at most, in chunks of up to `chunkSize` (at most a batch, so a chunk always fits one). */
export const makeChunkBuffer = (capacity: number, chunkSize: number): ChunkBuffer => {
  const perChunk = Math.max(1, chunkSize)
  let sealed: Array<EncodedEvents> = []
  let head = 0
  let open = makeChunkBuilder(perChunk)
  let size = 0
  let waiting: Array<() => void> = []

  const added = () => {
    size++
    if (open.full()) {
      sealed.push(open.seal())
      open = makeChunkBuilder(perChunk)
    }
    if (waiting.length > 0) {
      const wake = waiting
      waiting = []
      for (const resume of wake) resume()
    }
    return true
  }

  const offerRaw = (source: AuditEvent, nowMs: number, request: AuditRequestInfo): boolean => {
    if (size >= capacity) return false
    open.addRaw(source, nowMs, request)
    return added()
  }

  const offerPrepared = (event: PreparedAuditEvent): boolean => {
    if (size >= capacity) return false
    open.add(event)
    return added()
  }

  const takeUpTo = (max: number): Array<EncodedEvents> => {
    const taken: Array<EncodedEvents> = []
    let n = 0
    while (head < sealed.length) {
      const next = sealed[head]
      if (next === undefined || n + next.count > max) break
      taken.push(next)
      n += next.count
      head++
    }
    if (head === sealed.length) {
      sealed = []
      head = 0
      // the chunk being filled leaves too, once every sealed one has
      if (open.size() > 0 && n + open.size() <= max) {
        const last = open.seal()
        open = makeChunkBuilder(perChunk)
        taken.push(last)
        n += last.count
      }
    } else if (head >= COMPACT_AFTER && head * 2 >= sealed.length) {
      sealed = sealed.slice(head)
      head = 0
    }
    size -= n
    return taken
  }

  const nonEmpty = Effect.async<void>((resume) => {
    if (size > 0) {
      resume(Effect.void)
      return
    }
    const wake = () => resume(Effect.void)
    waiting.push(wake)
    return Effect.sync(() => {
      waiting = waiting.filter((w) => w !== wake)
    })
  })

  return { offerRaw, offerPrepared, size: () => size, takeUpTo, nonEmpty }
}
