import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Unavailable } from "@atom/domain/errors"
import type { DbFailure } from "@atom/repositories/db"
import { Deferred, Duration, Effect, Either, Redacted, Schema, type Scope } from "effect"
import { yieldToEventLoop } from "../scheduling/yieldToEventLoop.js"
import type { EncodedEvents } from "./auditChunkCodec.js"
import { type ToWriter, WriteReply, type WriterSettings } from "./auditWriterProtocol.js"

/** Replaced with `true` by scripts/build.ts: the bundle starts dist/auditWriterWorker.mjs. */
declare const ATOM_BUNDLE: boolean | undefined

const bundled = typeof ATOM_BUNDLE !== "undefined" && ATOM_BUNDLE === true

/** The bundle's writer sits next to dist/atom.mjs; this module's URL there is its source's place (build.ts). */
const BUNDLED_ENTRY = new URL("../../../../dist/auditWriterWorker.mjs", import.meta.url)
const SOURCE_ENTRY = new URL("./auditWriterWorker.ts", import.meta.url)
const TSX_ENTRY = new URL("./tsxChildEntry.mjs", import.meta.url)

/**
 * The writer's node flags, not the server's (a debugger port or the server's heap limit are the server's):
 * one V8 helper thread, as in `start:prod`, and a heap limit of its own. It holds at most two batches of
 * 2,000 events (the queue's lanes) in a few forms each: at 10,000 events/s it ran within a 64 MB old space
 * (resident 90–116 MB; 150 MB with V8's limit for this machine's memory, 77 MB idle). 256 MB bounds it and
 * leaves room for events with large details.
 */
const WRITER_NODE_FLAGS = ["--v8-pool-size=1", "--max-old-space-size=256"]

/**
 * A server run under the V8 CPU profiler (`--cpu-prof`, `--cpu-prof-dir=<dir>` …, each flag in its `=` form)
 * profiles its writer too: the writer is a process of its own, which the server's profile does not reach.
 */
const profilerFlags = (): ReadonlyArray<string> => process.execArgv.filter((flag) => flag.startsWith("--cpu-prof"))

const decodeReply = Schema.decodeUnknownEither(WriteReply)

const spawn = (): ChildProcess =>
  fork(fileURLToPath(bundled ? BUNDLED_ENTRY : TSX_ENTRY), bundled ? [] : [fileURLToPath(SOURCE_ENTRY)], {
    execArgv: [...WRITER_NODE_FLAGS, ...profilerFlags()],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  })

export interface AuditWriterProcess {
  /**
   * Writes a batch on a lane's chain in the writer process; fails as the write did, or with `Unavailable`
   * when the process stops first. The batch's chunks go one message each; `sliceMs` finite: with the event
   * loop free in between; infinite (a queue more than half full): at once.
   */
  readonly append: (
    chunks: ReadonlyArray<EncodedEvents>,
    lane: number,
    sliceMs: number,
  ) => Effect.Effect<void, DbFailure>
}

/** Keeps the server's event loop alive for the child (while a batch is out), or not. */
const hold = (child: ChildProcess, held: boolean) => {
  if (held) {
    child.ref()
    child.channel?.ref()
  } else {
    child.unref()
    child.channel?.unref()
  }
}

/**
 * A child process writing the hot-path audit queue's batches on its own Postgres connections, at idle
 * priority with its own V8 (its garbage collection and compilation never take a core from a request).
 * Started with the layer and again, when next needed, after it stops (a crash fails its batches as an
 * outage, which the queue retries). Held (keeping the server alive) only while a batch is out, so a
 * shutdown drain waits for its answers. Closed with the scope: once every batch is answered, it ends;
 * if the server dies first, the child writes what it holds and ends with the channel.
 */
export const makeAuditWriterProcess = (
  databaseUrl: Redacted.Redacted<string>,
  pool: Omit<WriterSettings, "databaseUrl">,
): Effect.Effect<AuditWriterProcess, never, Scope.Scope> =>
  Effect.gen(function* () {
    const settings: WriterSettings = { ...pool, databaseUrl: Redacted.value(databaseUrl) }
    const waiting = new Map<number, Deferred.Deferred<void, DbFailure>>()
    let child: ChildProcess | undefined
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
      if (waiting.size === 0 && child !== undefined) hold(child, false)
    }

    // a message the channel could not take (the child ended meanwhile): its exit fails the batches out
    const post = (c: ChildProcess, message: ToWriter) => {
      if (c.connected) c.send(message, undefined, undefined, () => {})
    }

    const stopped = (c: ChildProcess) => {
      if (child !== c) return
      child = undefined
      failAll("audit writer process stopped")
    }

    const started = (): ChildProcess => {
      if (child !== undefined) return child
      const c = spawn()
      c.on("message", (message: unknown) => {
        const reply = decodeReply(message)
        if (Either.isRight(reply)) settle(reply.right)
      })
      // a spawn that failed has no exit to follow; a refused message is followed by the exit
      c.on("error", () => {
        if (c.pid === undefined) stopped(c)
      })
      c.on("exit", () => stopped(c))
      hold(c, false)
      child = c
      post(c, { kind: "start", settings })
      return c
    }

    // started now, so the process loads its modules (over a second from the sources) while Atom starts,
    // not while the first batch waits; not held until a batch is out
    started()

    const append = (chunks: ReadonlyArray<EncodedEvents>, lane: number, sliceMs: number) =>
      Effect.gen(function* () {
        const deferred = yield* Deferred.make<void, DbFailure>()
        const id = nextId++
        const c = started()
        waiting.set(id, deferred)
        hold(c, true)
        const sliced = Number.isFinite(sliceMs)
        for (const [at, chunk] of chunks.entries()) {
          const last = at === chunks.length - 1
          post(c, { kind: "chunk", id, lane, events: chunk, last })
          if (!last && sliced) yield* yieldToEventLoop
        }
        return yield* Deferred.await(deferred)
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        const c = child
        if (c === undefined) return Effect.void
        const exited = Effect.async<void>((resume) => {
          c.once("exit", () => resume(Effect.void))
          hold(c, true)
          post(c, { kind: "close" })
        })
        // a process that does not end in time is killed (its batches were answered or are lost with it)
        return exited.pipe(
          Effect.timeoutTo({
            duration: Duration.seconds(5),
            onSuccess: () => Effect.void,
            onTimeout: () =>
              Effect.sync(() => {
                c.kill("SIGKILL")
              }),
          }),
          Effect.flatten,
        )
      }),
    )

    return { append }
  })
