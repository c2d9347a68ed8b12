import {
  type AuditEvent,
  type AuditRequestInfo,
  sampledOutCategory,
  storedAllowRate,
  suppressedCategory,
} from "@atom/domain/audit"
import { AtomConfig } from "@atom/domain/config"
import { AuditLogs } from "@atom/repositories/audit"
import type { DbFailure } from "@atom/repositories/db"
import { SqlError } from "@effect/sql/SqlError"
import {
  Cause,
  Chunk,
  Clock,
  Context,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  FiberRef,
  Layer,
  LogLevel,
  Option,
} from "effect"
import { AtomMetrics } from "../metrics/AtomMetrics.js"
import { SLICE_BUDGET_MS } from "../scheduling/yieldToEventLoop.js"
import { AuditLaneWriter } from "./AuditLaneWriter.js"
import { currentAuditRequest } from "./AuditRequestContext.js"
import {
  AUDIT_CHUNK_EVENTS,
  chunkEvents,
  chunkIds,
  chunkWithout,
  type EncodedEvents,
  singleEventChunks,
} from "./auditChunkCodec.js"
import { auditLogLevel, auditLogLine } from "./auditLogLine.js"
import { makeChunkBuffer } from "./chunkBuffer.js"
import { prepareEvent } from "./prepareEvent.js"
import { isPlainJson, queuedEventName } from "./queuedEvent.js"

export interface AuditQueueOptions {
  /**
   * events held in memory while the writer is behind or the database is away; when not given,
   * ATOM_AUDIT_QUEUE_CAPACITY (`config.audit.queueCapacity`)
   */
  readonly capacity?: number
  /** rows per multi-row INSERT */
  readonly batchSize: number
  /** writer fibers, each appending to its own chain: one hashes and sends a batch while another's commits */
  readonly writers: number
  /** how long shutdown keeps trying to write what is left */
  readonly shutdownBudget: Duration.DurationInput
  /** first and longest pause between retries while writes fail */
  readonly retryMin: Duration.DurationInput
  readonly retryMax: Duration.DurationInput
  /** at most one "still failing" / "still dropping" line per interval */
  readonly logEvery: Duration.DurationInput
  /**
   * A batch is linked and encoded in slices of this many ms of main-thread time, with the event loop free
   * in between, so requests wait for a slice rather than a batch. While the queue is more than half full
   * the writer takes each batch in one go instead: a writer starved by a saturated loop would otherwise
   * fall behind until events drop.
   */
  readonly sliceMs: number
  /** On Postgres, write in the writer process (AuditLaneWriter); false keeps every write in this process. */
  readonly writerProcess: boolean
  /**
   * A writer that takes less than a full batch waits this long for more before it writes: each batch pays
   * for a transaction and three statements, which small batches (a moderate rate, two writers) repeat
   * for a few rows each.
   */
  readonly lingerMs: number
}

export const DEFAULT_AUDIT_QUEUE: AuditQueueOptions = {
  // a batch of 2000 rows costs Postgres about what 4 of 500 do in statements and commits (bench: 2x the rate)
  batchSize: 2000,
  writers: 2,

  shutdownBudget: Duration.seconds(3),
  retryMin: Duration.millis(100),
  retryMax: Duration.seconds(5),
  logEvery: Duration.seconds(10),
  sliceMs: SLICE_BUDGET_MS,
  writerProcess: true,
  lingerMs: 20,
}

export interface AuditQueueStats {
  /** events waiting, including a batch being written or retried */
  readonly depth: number
  readonly capacity: number
  /** events lost: the queue was full, shut down, or a row was refused on its own */
  readonly dropped: number
  readonly written: number
  /** hot-path allows not stored (ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED off, or not drawn by its sample rate) */
  readonly suppressed: number
  /** the last write failed and the writer is retrying */
  readonly failing: boolean
}

/** One line for the log: the typed failure's message, or a defect's message and its cause's. */
const describeFailure = (cause: Cause.Cause<DbFailure>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value.message
  const squashed = Cause.squash(cause)
  if (!(squashed instanceof Error)) return String(squashed)
  const inner: unknown = squashed.cause
  return inner instanceof Error ? `${squashed.message}: ${inner.message}` : squashed.message
}

/**
 * The database is away rather than refusing a row: a typed Unavailable, or a transaction-control
 * statement (BEGIN, COMMIT, ROLLBACK) that died on a broken connection. Rows are kept and retried.
 */
const isOutage = (cause: Cause.Cause<DbFailure>): boolean =>
  Option.exists(Cause.failureOption(cause), (e) => e._tag === "Unavailable") ||
  Chunk.some(Cause.defects(cause), (d) => d instanceof SqlError)

const makeAuditQueue = (given: AuditQueueOptions) =>
  Effect.gen(function* () {
    const config = yield* AtomConfig
    const options = { ...given, capacity: given.capacity ?? config.audit.queueCapacity }
    const laneWriter = yield* AuditLaneWriter
    const logs = yield* AuditLogs
    const { instruments } = yield* AtomMetrics
    const buffer = makeChunkBuffer(options.capacity, Math.min(AUDIT_CHUNK_EVENTS, options.batchSize))
    const allowRate = storedAllowRate(config.audit)
    // none stored or all: decided without a draw (the fast path of an allowed check asks `countSuppressed`)
    const allowEnabled = allowRate > 0
    const logEveryMs = Duration.toMillis(options.logEvery)

    /** per writer: the batch it is writing or retrying, in chunks */
    const slots = Array.from({ length: Math.max(1, options.writers) }, (_, lane) => ({
      lane,
      pending: [] as EncodedEvents[],
    }))
    type Slot = (typeof slots)[number]
    const eventsIn = (chunks: ReadonlyArray<EncodedEvents>) => chunks.reduce((n, chunk) => n + chunk.count, 0)
    const inFlight = () => slots.reduce((n, slot) => n + eventsIn(slot.pending), 0)
    let closed = false
    let failing = false
    let dropped = 0
    let written = 0
    let suppressed = 0
    let lastFailureLog = Number.NEGATIVE_INFINITY
    let lastDropLog = Number.NEGATIVE_INFINITY

    const depth = () => buffer.size() + inFlight()

    const stats = (): AuditQueueStats => ({
      depth: depth(),
      capacity: options.capacity,
      dropped,
      written,
      suppressed,
      failing,
    })
    instruments.auditQueueDepth.collect(() => [[{}, depth()]])
    instruments.auditQueueCapacity.set({}, options.capacity)

    const drop = (n: number, why: string) =>
      Effect.gen(function* () {
        dropped += n
        instruments.auditDropped.inc({}, n)
        const now = yield* Clock.currentTimeMillis
        if (now - lastDropLog < logEveryMs) return
        lastDropLog = now
        yield* Effect.logWarning(`audit queue: dropping events (${why})`).pipe(
          Effect.annotateLogs({ depth: depth(), dropped, capacity: options.capacity }),
        )
      })

    /**
     * One event's part of an enqueue, synchronous: what is left to run (a log line, a drop's count and
     * line) or undefined in the common case (the line filtered out, room in the queue).
     */
    const offerOne = (
      event: AuditEvent,
      minimum: LogLevel.LogLevel,
      now: number,
      request: AuditRequestInfo,
    ): Effect.Effect<void> | undefined => {
      const category = sampledOutCategory(event.event, event.outcome, allowRate, Math.random)
      if (category !== undefined) {
        // the common case of a hot path (an allowed check): a count, and a line only at debug
        suppressed++
        instruments.auditSuppressed.inc({ category })
        return LogLevel.lessThanEqual(minimum, LogLevel.Debug)
          ? auditLogLine(prepareEvent(event, now, request))
          : undefined
      }
      // an event with a line to write is prepared now, for the line; any other is prepared by the writer
      // (details that are not plain JSON are prepared now as well: what is queued may cross to another process)
      const logged = !LogLevel.lessThan(auditLogLevel({ event: event.event.trim(), outcome: event.outcome }), minimum)
      const prepared =
        logged || (event.details !== undefined && !isPlainJson(event.details))
          ? prepareEvent(event, now, request)
          : undefined
      const line = logged && prepared !== undefined ? auditLogLine(prepared) : undefined
      const offered = closed
        ? false
        : prepared === undefined
          ? buffer.offerRaw(event, now, request)
          : buffer.offerPrepared(prepared)
      const kept = offered ? undefined : drop(1, closed ? "shut down" : "queue full")
      if (line === undefined) return kept
      return kept === undefined ? line : Effect.zipRight(line, kept)
    }

    // A request pays for the event's preparation and one offer, not for a chain of effects
    // (bench/scenarios/auditIngest.ts); a bulk decision's events share one look at the fiber.
    const enqueueAll = (events: ReadonlyArray<AuditEvent>): Effect.Effect<void> =>
      Effect.withFiberRuntime<void>((fiber) => {
        const minimum = fiber.getFiberRef(FiberRef.currentMinimumLogLevel)
        const now = Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
        const request = fiber.getFiberRef(currentAuditRequest)
        const rest: Array<Effect.Effect<void>> = []
        for (const event of events) {
          const left = offerOne(event, minimum, now, request)
          if (left !== undefined) rest.push(left)
        }
        return rest.length === 0 ? Effect.void : Effect.all(rest, { discard: true })
      })

    const enqueue = (event: AuditEvent): Effect.Effect<void> => enqueueAll([event])

    const countSuppressed = (event: AuditEvent["event"], outcome: AuditEvent["outcome"]): boolean => {
      const category = suppressedCategory(event, outcome, allowEnabled)
      if (category === undefined) return false
      suppressed++
      instruments.auditSuppressed.inc({ category })
      return true
    }

    /**
     * Writes the first `chunks` chunks of a slot, or fails. The write and its bookkeeping are one uninterruptible
     * step: rows that committed leave `pending` before an interruption (shutdown) can look at it, so the
     * shutdown flush never writes them a second time (their ids would conflict and be dropped as refused).
     */
    const writeHead = (slot: Slot, chunks: number) =>
      Effect.uninterruptible(
        Effect.suspend(() => {
          const head = chunks >= slot.pending.length ? slot.pending : slot.pending.slice(0, chunks)
          const rows = eventsIn(head)
          const sliceMs = depth() * 2 > options.capacity ? Number.POSITIVE_INFINITY : options.sliceMs
          return Effect.exit(laneWriter.append(head, slot.lane, sliceMs)).pipe(
            Effect.tap((exit) =>
              Effect.sync(() => {
                if (Exit.isSuccess(exit)) {
                  written += rows
                  instruments.auditWritten.inc({}, rows)
                  slot.pending = head === slot.pending ? [] : slot.pending.slice(head.length)
                } else instruments.auditWriteFailures.inc({})
              }),
            ),
          )
        }),
      )

    const logFailure = (cause: Cause.Cause<DbFailure>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (failing && now - lastFailureLog < logEveryMs) return
        lastFailureLog = now
        yield* Effect.logError("audit queue: writes failing, holding events").pipe(
          Effect.annotateLogs({
            error: describeFailure(cause),
            depth: depth(),
            dropped,
            capacity: options.capacity,
          }),
        )
      })

    /**
     * Takes out of a slot's `pending` the rows already stored: a write that failed as an outage may have
     * committed with only its answer lost (a connection or the writer process dying after COMMIT), and
     * written again its rows would conflict on their ids and be dropped as refused. Answers false when
     * the database could not say (still away).
     */
    const forgetStored = (slot: Slot) =>
      Effect.gen(function* () {
        const asked = yield* Effect.either(logs.storedIds(slot.pending.flatMap(chunkIds)))
        if (Either.isLeft(asked)) return false
        const stored = asked.right
        if (stored.size === 0) return true
        const before = eventsIn(slot.pending)
        slot.pending = slot.pending.flatMap((chunk) => chunkWithout(chunk, stored) ?? [])
        const gone = before - eventsIn(slot.pending)
        written += gone
        instruments.auditWritten.inc({}, gone)
        return true
      })

    /**
     * Writes a slot's `pending` until it is written or proven unwritable. A database that is away is waited for
     * (with backoff, as long as `keepTrying` says); any other failure is a bad row somewhere in the batch:
     * rows are then written one by one and a row refused alone is dropped and counted.
     */
    const writePending = (slot: Slot, keepTrying: Effect.Effect<boolean>) =>
      Effect.gen(function* () {
        let pause = Duration.toMillis(options.retryMin)
        let unanswered = false
        while (slot.pending.length > 0) {
          if (unanswered) {
            unanswered = !(yield* forgetStored(slot))
            if (slot.pending.length === 0) break
          }
          const exit = yield* writeHead(slot, slot.pending.length)
          if (Exit.isSuccess(exit)) {
            if (failing)
              yield* Effect.logInfo("audit queue: writes recovered").pipe(Effect.annotateLogs({ depth: depth() }))
            failing = false
            return true
          }
          if (isOutage(exit.cause)) {
            yield* logFailure(exit.cause)
            failing = true
            unanswered = true
            if (!(yield* keepTrying)) return false
            yield* Effect.sleep(Duration.millis(pause))
            pause = Math.min(pause * 2, Duration.toMillis(options.retryMax))
            continue
          }
          // not an outage: isolate the row(s) the database refuses; an outage meanwhile leaves the rest pending
          yield* logFailure(exit.cause)
          if (unanswered) yield* forgetStored(slot)
          slot.pending = slot.pending.flatMap(singleEventChunks)
          while (slot.pending.length > 0) {
            const row = slot.pending[0]
            const single = yield* writeHead(slot, 1)
            if (Exit.isSuccess(single) || row === undefined) continue
            if (isOutage(single.cause)) break
            slot.pending = slot.pending.slice(1)
            const name = chunkEvents(row).map(queuedEventName).join(", ")
            yield* Effect.logWarning("audit queue: row refused").pipe(
              Effect.annotateLogs({ audit_event: name, error: describeFailure(single.cause) }),
            )
            yield* drop(row.count, `row refused: ${name}`)
          }
          if (slot.pending.length > 0) continue
          failing = false
          return true
        }
        return true
      })

    // the wait is interruptible; a batch taken off the buffer lands in the slot in one synchronous step
    // (another writer may have emptied the buffer between the wake-up and the take: then it waits again)
    const takeBatch = (slot: Slot) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(buffer.nonEmpty),
          Effect.sync(() => {
            slot.pending = buffer.takeUpTo(options.batchSize)
          }),
        ),
      )

    // what arrived while the writer lingered joins its batch
    const topUp = (slot: Slot) =>
      Effect.sync(() => {
        const more = buffer.takeUpTo(options.batchSize - eventsIn(slot.pending))
        if (more.length > 0) slot.pending = slot.pending.concat(more)
      })

    const writer = (slot: Slot) =>
      Effect.gen(function* () {
        while (true) {
          if (slot.pending.length === 0) {
            while (slot.pending.length === 0) yield* takeBatch(slot)
            if (options.lingerMs > 0 && eventsIn(slot.pending) < options.batchSize) {
              yield* Effect.sleep(Duration.millis(options.lingerMs))
              yield* topUp(slot)
            }
          }
          yield* writePending(slot, Effect.succeed(true))
        }
      })

    const fibers = yield* Effect.forEach(slots, (slot) => Effect.forkDaemon(writer(slot)))

    const flush = (timeout: Duration.DurationInput = Duration.seconds(10)) =>
      Effect.gen(function* () {
        while (depth() > 0) yield* Effect.sleep(Duration.millis(5))
        return true
      }).pipe(Effect.timeoutTo({ duration: timeout, onTimeout: () => false, onSuccess: (ok) => ok }))

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        closed = true
        // an INSERT in flight finishes first: the write is uninterruptible
        yield* Fiber.interruptAll(fibers)
        const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(options.shutdownBudget)
        const inTime = Effect.map(Clock.currentTimeMillis, (now) => now < deadline)
        // what each writer held, then the rest of the queue through every writer's slot at once
        let more = true
        while (more && (yield* inTime)) {
          for (const slot of slots) {
            if (slot.pending.length === 0) slot.pending = buffer.takeUpTo(options.batchSize)
          }
          if (inFlight() === 0) break
          const results = yield* Effect.forEach(slots, (slot) => writePending(slot, inTime), {
            concurrency: "unbounded",
          })
          more = results.every(Boolean)
        }
        const left = depth()
        if (left > 0) {
          yield* drop(left, "shutdown before the database came back")
          yield* Effect.logError("audit queue: events not written at shutdown").pipe(
            Effect.annotateLogs({ lost: left }),
          )
        } else if (written > 0) {
          yield* Effect.logDebug("audit queue flushed").pipe(Effect.annotateLogs({ written }))
        }
      }),
    )

    return { enqueue, enqueueAll, countSuppressed, stats, flush }
  })

/**
 * The hot-path write path (DESIGN.md §3): `enqueue` never blocks and never fails; `writers` fibers (two by
 * default, each on its own chain) drain the queue in multi-row INSERTs on the audit chains, through
 * AuditLaneWriter (a child process on Postgres). While the database is away the queue holds what fits
 * and counts the rest as dropped; depth and drops show in health, metrics and a log line. The layer's
 * finalizer writes what is left before the database closes (it sits above the database tier).
 */
export class AuditQueue extends Context.Tag("atom/AuditQueue")<
  AuditQueue,
  {
    readonly enqueue: (event: AuditEvent) => Effect.Effect<void>
    /** `enqueue` of several events at once (a bulk decision's), in order. */
    readonly enqueueAll: (events: ReadonlyArray<AuditEvent>) => Effect.Effect<void>
    /**
     * Synchronously counts an event of this name and outcome that configuration does not store (a
     * hot-path allow while none are stored) and answers true; false when it must go through `enqueue`
     * (which also draws the sampled allows, ATOM_AUDIT_HOT_PATH_ALLOW_SAMPLE_RATE). For callers that
     * already know no debug line is due (the remembered gRPC check), so no effect runs at all.
     */
    readonly countSuppressed: (event: AuditEvent["event"], outcome: AuditEvent["outcome"]) => boolean
    readonly stats: () => AuditQueueStats
    /** Waits until everything enqueued so far is written; false when `timeout` passes first. */
    readonly flush: (timeout?: Duration.DurationInput) => Effect.Effect<boolean>
  }
>() {
  static readonly layer = (options: Partial<AuditQueueOptions> = {}) => {
    const all = { ...DEFAULT_AUDIT_QUEUE, ...options }
    const lanes = Math.max(1, all.writers)
    return AuditQueue.writingTo(all.writerProcess ? AuditLaneWriter.layer(lanes) : AuditLaneWriter.InProcess, all)
  }

  /** The queue writing through the given lane writer (tests put failures in its way). */
  static readonly writingTo = <R>(
    laneWriter: Layer.Layer<AuditLaneWriter, never, R>,
    options: Partial<AuditQueueOptions> = {},
  ) =>
    // provided beneath the queue: built before it, closed after its finalizer has drained it
    Layer.scoped(AuditQueue, makeAuditQueue({ ...DEFAULT_AUDIT_QUEUE, ...options })).pipe(Layer.provide(laneWriter))

  static readonly Live = AuditQueue.layer()
}
