import { AuditOutcome, type PreparedAuditEvent } from "@atom/domain/audit"
import { Conflict, DatabaseError, InvalidInput, Unavailable } from "@atom/domain/errors"
import { Schema } from "effect"
import type { QueuedAuditEvent, RawQueuedEvent } from "./queuedEvent.js"

/**
 * Messages between the audit queue and its writer process (`auditWriterWorker.ts`). The first message
 * carries the settings. A batch travels in chunks (each one serialization of a few hundred events, so
 * sending never holds the event loop long); the chunk marked `last` starts the batch's write on its
 * lane's chain, and one reply answers the batch.
 */
export interface WriteChunk {
  readonly kind: "chunk"
  readonly id: number
  readonly lane: number
  readonly events: ReadonlyArray<QueuedAuditEvent>
  readonly last: boolean
}

/** Ends the process once it has answered every batch it holds. */
export interface CloseWriter {
  readonly kind: "close"
}

/** The first message: what the process needs to start writing. */
export interface StartWriter {
  readonly kind: "start"
  readonly settings: WriterSettings
}

export type ToWriter = StartWriter | WriteChunk | CloseWriter

/** What the process needs to start: its own connections to the audit database, timed as the main pool's. */
export interface WriterSettings {
  readonly databaseUrl: string
  readonly lanes: number
  readonly connectTimeoutSecs: number
  readonly idleTimeoutSecs: number
  readonly maxLifetimeSecs: number
  /** the process (every thread of it) runs only on CPU time no request wants (SCHED_IDLE), else at normal priority */
  readonly idlePriority: boolean
}

/** A batch's answer: written (`failure` null) or the typed failure of its write. */
export const WriteReply = Schema.Struct({
  id: Schema.Number,
  failure: Schema.NullOr(Schema.Union(Unavailable, Conflict, InvalidInput, DatabaseError)),
})
export type WriteReply = typeof WriteReply.Type

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null
const isTextOrNull = (u: unknown): u is string | null => u === null || typeof u === "string"
const isOutcome = Schema.is(AuditOutcome)

/** An event as the queue prepared it, after a structured clone (dates stay dates). */
export const isPreparedEvent = (u: unknown): u is PreparedAuditEvent =>
  isRecord(u) &&
  typeof u.id === "string" &&
  u.createdAt instanceof Date &&
  isTextOrNull(u.actorId) &&
  isTextOrNull(u.tenantId) &&
  isTextOrNull(u.targetKind) &&
  isTextOrNull(u.targetId) &&
  typeof u.event === "string" &&
  isOutcome(u.outcome) &&
  isRecord(u.details) &&
  !Array.isArray(u.details) &&
  isTextOrNull(u.clientIp) &&
  isTextOrNull(u.userAgent) &&
  isTextOrNull(u.requestId)

/** A raw event as the queue holds it (`queuedEvent.ts`), after a structured clone; its details are scrubbed later. */
const isRawEvent = (u: unknown): u is RawQueuedEvent =>
  isRecord(u) &&
  u.kind === "raw" &&
  typeof u.id === "string" &&
  typeof u.nowMs === "number" &&
  isRecord(u.request) &&
  isRecord(u.source) &&
  typeof u.source.event === "string" &&
  isOutcome(u.source.outcome)

const isEvents = (u: unknown): u is ReadonlyArray<QueuedAuditEvent> =>
  Array.isArray(u) && u.every((e) => isRawEvent(e) || isPreparedEvent(e))

export const isToWriter = (u: unknown): u is ToWriter =>
  isRecord(u) &&
  (u.kind === "close" ||
    (u.kind === "start" && isWriterSettings(u.settings)) ||
    (u.kind === "chunk" &&
      typeof u.id === "number" &&
      typeof u.lane === "number" &&
      typeof u.last === "boolean" &&
      isEvents(u.events)))

export const isWriterSettings = (u: unknown): u is WriterSettings =>
  isRecord(u) &&
  typeof u.databaseUrl === "string" &&
  typeof u.lanes === "number" &&
  typeof u.connectTimeoutSecs === "number" &&
  typeof u.idleTimeoutSecs === "number" &&
  typeof u.maxLifetimeSecs === "number" &&
  typeof u.idlePriority === "boolean"
