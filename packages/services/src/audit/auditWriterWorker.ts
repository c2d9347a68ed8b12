/**
 * The audit writer process (Postgres only): links, hashes, encodes and inserts the hot-path queue's batches
 * on its own connections, so none of that runs on the event loop, and none of its garbage collection or
 * compilation runs on the server's V8 helper threads (a process of its own has its own, all at its own
 * priority). Each lane's batches arrive one after another (the queue's writer fiber waits for each reply)
 * and go to that lane's chain through the same `AuditChains` as the server's: the chain is taken with
 * `pg_try_advisory_xact_lock` and its head read under the lock, so rows written by request transactions
 * (on chains of their own) and a crash or rollback on either side never fork or gap a chain.
 *
 * Started by the server with an IPC channel (`auditWriterProcess.ts`); it stops when told to (`close`) or
 * when the channel ends (the server is gone), once the batches it holds are written. SIGINT and SIGTERM,
 * which a terminal or a process manager may send to the whole group, are the server's to act on: the server
 * drains its queue through this process and then closes it.
 */
import { DatabaseError, InvalidInput, Unavailable } from "@atom/domain/errors"
import { AuditLogs } from "@atom/repositories/audit"
import { type DbFailure, postgresPoolClient } from "@atom/repositories/db"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Redacted, Schema } from "effect"
import { lowerProcessPriority } from "../scheduling/lowerThreadPriority.mjs"
import { AuditChains } from "./AuditChains.js"
import { decodeEvents } from "./auditChunkCodec.js"
import { isToWriter, type WriteChunk, WriteReply, type WriterSettings } from "./auditWriterProtocol.js"
import type { QueuedAuditEvent } from "./queuedEvent.js"

const send = process.send?.bind(process)
if (send === undefined) throw new Error("auditWriterWorker: not started as the audit writer (no IPC channel)")
// as `ps` and `top` show it
process.title = "atom-audit-writer"
process.on("SIGINT", () => {})
process.on("SIGTERM", () => {})

/**
 * The failure to report: a typed one as it is; a statement that died on a broken connection (a defect
 * SqlError, e.g. BEGIN or COMMIT) is an outage, as the queue treats it; any other defect a database error.
 */
const failureOf = (cause: Cause.Cause<DbFailure>): DbFailure => {
  const typed = Cause.failureOption(cause)
  if (Option.isSome(typed)) return typed.value
  const squashed = Cause.squash(cause)
  if (squashed instanceof SqlError) return new Unavailable({ message: `database unavailable: ${squashed.message}` })
  return new DatabaseError()
}

const writerRuntime = (settings: WriterSettings) =>
  ManagedRuntime.make(
    AuditChains.Live.pipe(
      Layer.provide(AuditLogs.Default),
      Layer.provideMerge(
        postgresPoolClient(Redacted.make(settings.databaseUrl), {
          maxConnections: Math.max(1, settings.lanes),
          minConnections: 0,
          connectTimeoutSecs: settings.connectTimeoutSecs,
          idleTimeoutSecs: settings.idleTimeoutSecs,
          maxLifetimeSecs: settings.maxLifetimeSecs,
          applicationName: "atom-audit",
        }).pipe(Layer.orDie),
      ),
    ),
  )

const encodeReply = Schema.encodeSync(WriteReply)
let runtime: ReturnType<typeof writerRuntime> | undefined
const batches = new Map<number, Array<QueuedAuditEvent>>()
const writing = new Set<Promise<void>>()

const reply = (id: number, failure: DbFailure | null) => {
  // the server may be gone: the batch is written, and nobody is left to tell
  if (process.connected) send(encodeReply({ id, failure }), undefined, undefined, () => {})
}

const write = (id: number, lane: number, events: ReadonlyArray<QueuedAuditEvent>) => {
  if (runtime === undefined) return reply(id, new Unavailable({ message: "audit writer not started" }))
  const done = runtime
    .runPromiseExit(
      Effect.flatMap(AuditChains, (chains) =>
        chains.append(events, { relaxed: true, lane, sliceMs: Number.POSITIVE_INFINITY }),
      ),
    )
    .then((exit) => reply(id, Exit.isSuccess(exit) ? null : failureOf(exit.cause)))
  writing.add(done)
  void done.finally(() => writing.delete(done))
}

/** Batches with a chunk that could not be read: answered at once, their later chunks ignored. */
const refused = new Set<number>()

/**
 * A chunk whose events are not well formed is refused rather than ignored: its batch is answered (the
 * queue then writes the batch row by row and drops the row it cannot write), so no lane waits forever.
 */
const refuseChunk = (message: unknown) => {
  if (typeof message !== "object" || message === null) return
  const id: unknown = Reflect.get(message, "id")
  if (Reflect.get(message, "kind") !== "chunk" || typeof id !== "number") return
  batches.delete(id)
  if (!refused.has(id)) reply(id, new InvalidInput({ message: "audit batch refused: an event is not well formed" }))
  if (Reflect.get(message, "last") === true) refused.delete(id)
  else refused.add(id)
}

const takeChunk = (chunk: WriteChunk<unknown>) => {
  if (refused.has(chunk.id)) {
    if (chunk.last) refused.delete(chunk.id)
    return
  }
  const read = decodeEvents(chunk.events)
  if (read === null) return refuseChunk(chunk)
  const events = batches.get(chunk.id) ?? []
  for (const event of read) events.push(event)
  if (!chunk.last) {
    batches.set(chunk.id, events)
    return
  }
  batches.delete(chunk.id)
  write(chunk.id, chunk.lane, events)
}

/** Writes what it holds, releases the connections and ends (once: `close`, then the channel's end). */
let ending = false
const end = () => {
  if (ending) return
  ending = true
  void Promise.allSettled([...writing])
    .then(() => runtime?.dispose())
    .finally(() => {
      if (process.connected) process.disconnect()
      process.exit(0)
    })
}

process.on("message", (message: unknown) => {
  if (!isToWriter(message)) return refuseChunk(message)
  if (message.kind === "chunk") return takeChunk(message)
  if (message.kind === "start") {
    // linking, hashing and encoding take CPU time no request wants; the queue in front absorbs the wait
    if (message.settings.idlePriority) lowerProcessPriority()
    runtime ??= writerRuntime(message.settings)
    return
  }
  end()
})
process.on("disconnect", end)
