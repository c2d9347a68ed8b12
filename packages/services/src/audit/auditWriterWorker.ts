/**
 * The audit writer thread (Postgres only): links, hashes, encodes and inserts the hot-path queue's batches
 * on its own connections, so none of that runs on the event loop. Each lane's batches arrive one after
 * another (the queue's writer fiber waits for each reply) and go to that lane's chain through the same
 * `AuditChains` as the main thread's: the chain is taken with `pg_try_advisory_xact_lock` and its head
 * read under the lock, so rows written by request transactions on the main thread (on chains of their
 * own) and a crash or rollback on either side never fork or gap a chain.
 */
import { parentPort, workerData } from "node:worker_threads"
import { DatabaseError, Unavailable } from "@atom/domain/errors"
import { AuditLogs } from "@atom/repositories/audit"
import { type DbFailure, postgresPoolClient } from "@atom/repositories/db"
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Effect, Exit, Layer, ManagedRuntime, Option, Redacted, Schema } from "effect"
import { lowerThreadPriority } from "../scheduling/lowerThreadPriority.mjs"
import { AuditChains } from "./AuditChains.js"
import { isToWriter, isWriterSettings, type WriteChunk, WriteReply } from "./auditWriterProtocol.js"
import type { QueuedAuditEvent } from "./queuedEvent.js"

const port = parentPort
if (port === null || !isWriterSettings(workerData))
  throw new Error("auditWriterWorker: not started as the audit writer")
const settings = workerData
// linking, hashing and encoding take CPU time no request wants; the queue in front absorbs the wait
if (settings.idlePriority) lowerThreadPriority()

const runtime = ManagedRuntime.make(
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

const encodeReply = Schema.encodeSync(WriteReply)
const batches = new Map<number, Array<QueuedAuditEvent>>()
const writing = new Set<Promise<void>>()

const write = (id: number, lane: number, events: ReadonlyArray<QueuedAuditEvent>) => {
  const done = runtime
    .runPromiseExit(
      Effect.flatMap(AuditChains, (chains) =>
        chains.append(events, { relaxed: true, lane, sliceMs: Number.POSITIVE_INFINITY }),
      ),
    )
    .then((exit) => {
      port.postMessage(encodeReply({ id, failure: Exit.isSuccess(exit) ? null : failureOf(exit.cause) }))
    })
  writing.add(done)
  void done.finally(() => writing.delete(done))
}

const takeChunk = (chunk: WriteChunk) => {
  const events = batches.get(chunk.id) ?? []
  for (const event of chunk.events) events.push(event)
  if (!chunk.last) {
    batches.set(chunk.id, events)
    return
  }
  batches.delete(chunk.id)
  write(chunk.id, chunk.lane, events)
}

port.on("message", (message: unknown) => {
  if (!isToWriter(message)) return
  if (message.kind === "chunk") return takeChunk(message)
  // close: answer what is being written, then release the connections and let the thread end
  void Promise.allSettled([...writing])
    .then(() => runtime.dispose())
    .finally(() => port.close())
})
