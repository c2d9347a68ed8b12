import { Worker } from "node:worker_threads"
import { Unavailable } from "@atom/domain/errors"
import type { DbFailure } from "@atom/repositories/db"
import { Deferred, Duration, Effect, Either, Redacted, Schema, type Scope } from "effect"
import { yieldToEventLoop } from "../scheduling/yieldToEventLoop.js"
import { type ToWriter, WriteReply, type WriterSettings } from "./auditWriterProtocol.js"
import type { QueuedAuditEvent } from "./queuedEvent.js"

/** Replaced with `true` by scripts/build.ts: the bundle starts dist/auditWriterWorker.mjs. */
declare const ATOM_BUNDLE: boolean | undefined

const bundled = typeof ATOM_BUNDLE !== "undefined" && ATOM_BUNDLE === true

/** The bundle's worker sits next to dist/atom.mjs; this module's URL there is its source's place (build.ts). */
const BUNDLED_ENTRY = new URL("../../../../dist/auditWriterWorker.mjs", import.meta.url)
const SOURCE_ENTRY = new URL("./auditWriterWorker.ts", import.meta.url)
const TSX_ENTRY = new URL("./tsxWorkerEntry.mjs", import.meta.url)

/** Events per posted message: a structured clone of this many takes a few hundred µs of the event loop. */
const CHUNK = 200

const decodeReply = Schema.decodeUnknownEither(WriteReply)

const spawn = (settings: WriterSettings): Worker =>
  bundled
    ? new Worker(BUNDLED_ENTRY, { workerData: settings })
    : new Worker(TSX_ENTRY, { workerData: { ...settings, entry: SOURCE_ENTRY.href } })

export interface AuditWriterThread {
  /**
   * Writes a batch on a lane's chain in the writer thread; fails as the write did, or with `Unavailable`
   * when the thread stops first. `sliceMs` finite: the batch is posted in chunks with the event loop free
   * in between; infinite (a queue more than half full): posted at once.
   */
  readonly append: (
    events: ReadonlyArray<QueuedAuditEvent>,
    lane: number,
    sliceMs: number,
  ) => Effect.Effect<void, DbFailure>
}

/**
 * A worker thread writing the hot-path audit queue's batches on its own Postgres connections. Started
 * with the layer and again, when next needed, after it stops (a crash fails its batches as an outage, which the queue
 * retries). Referenced (keeping the process alive) only while a batch is out, so a shutdown drain waits
 * for its answers. Closed with the scope: once every batch is answered, its connections end.
 */
export const makeAuditWriterThread = (
  databaseUrl: Redacted.Redacted<string>,
  pool: Omit<WriterSettings, "databaseUrl">,
): Effect.Effect<AuditWriterThread, never, Scope.Scope> =>
  Effect.gen(function* () {
    const settings: WriterSettings = { ...pool, databaseUrl: Redacted.value(databaseUrl) }
    const waiting = new Map<number, Deferred.Deferred<void, DbFailure>>()
    let worker: Worker | undefined
    let nextId = 1

    const failAll = (why: string) => {
      for (const deferred of waiting.values())
        Deferred.unsafeDone(deferred, Effect.fail(new Unavailable({ message: why })))
      waiting.clear()
    }

    const settle = (reply: WriteReply) => {
      const deferred = waiting.get(reply.id)
      if (deferred === undefined) return
      waiting.delete(reply.id)
      Deferred.unsafeDone(deferred, reply.failure === null ? Effect.void : Effect.fail(reply.failure))
      if (waiting.size === 0) worker?.unref()
    }

    const started = (): Worker => {
      if (worker !== undefined) return worker
      const w = spawn(settings)
      w.on("message", (message: unknown) => {
        const reply = decodeReply(message)
        if (Either.isRight(reply)) settle(reply.right)
      })
      // an error is followed by exit: the batches out are failed there
      w.on("error", () => {})
      w.on("exit", () => {
        if (worker === w) worker = undefined
        failAll("audit writer thread stopped")
      })
      w.unref()
      worker = w
      return w
    }

    const post = (w: Worker, message: ToWriter) => w.postMessage(message)
    // started now, so the thread loads its modules (over a second from the sources) while Atom starts,
    // not while the first batch waits; unref'd until a batch is out
    started()

    const append = (events: ReadonlyArray<QueuedAuditEvent>, lane: number, sliceMs: number) =>
      Effect.gen(function* () {
        const deferred = yield* Deferred.make<void, DbFailure>()
        const id = nextId++
        const w = started()
        waiting.set(id, deferred)
        w.ref()
        const step = Number.isFinite(sliceMs) ? CHUNK : events.length
        for (let from = 0; from < events.length; from += step) {
          const last = from + step >= events.length
          post(w, { kind: "chunk", id, lane, events: events.slice(from, from + step), last })
          if (!last) yield* yieldToEventLoop
        }
        return yield* Deferred.await(deferred)
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        const w = worker
        if (w === undefined) return Effect.void
        const exited = Effect.async<void>((resume) => {
          w.once("exit", () => resume(Effect.void))
          w.ref()
          post(w, { kind: "close" })
        })
        // a thread that does not end in time is stopped (its batches were answered or are lost with it)
        return exited.pipe(
          Effect.timeoutTo({
            duration: Duration.seconds(5),
            onSuccess: () => Effect.void,
            onTimeout: () => Effect.promise(() => w.terminate()),
          }),
          Effect.flatten,
        )
      }),
    )

    return { append }
  })
