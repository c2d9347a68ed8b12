import { Conflict, DatabaseError, InvalidInput, Unavailable } from "@atom/domain/errors"
import { Schema } from "effect"
import type { EncodedEvents } from "./auditChunkCodec.js"
import { isRecord } from "./auditEventGuards.js"

/**
 * Messages between the audit queue and its writer process (`auditWriterWorker.ts`). The first message
 * carries the settings. A batch travels in chunks (each one serialization of a few hundred events, so
 * sending never holds the event loop long), its events in columns (`auditChunkCodec.ts`, read and checked
 * by the process); the chunk marked `last` starts the batch's write on its lane's chain, and one reply
 * answers the batch.
 */
export interface WriteChunk<Events = EncodedEvents> {
  readonly kind: "chunk"
  readonly id: number
  readonly lane: number
  readonly events: Events
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

export type ToWriter<Events = EncodedEvents> = StartWriter | WriteChunk<Events> | CloseWriter

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

/** A message of the protocol; a chunk's events are still to be read (`decodeEvents`). */
export const isToWriter = (u: unknown): u is ToWriter<unknown> =>
  isRecord(u) &&
  (u.kind === "close" ||
    (u.kind === "start" && isWriterSettings(u.settings)) ||
    (u.kind === "chunk" && typeof u.id === "number" && typeof u.lane === "number" && typeof u.last === "boolean"))

export const isWriterSettings = (u: unknown): u is WriterSettings =>
  isRecord(u) &&
  typeof u.databaseUrl === "string" &&
  typeof u.lanes === "number" &&
  typeof u.connectTimeoutSecs === "number" &&
  typeof u.idleTimeoutSecs === "number" &&
  typeof u.maxLifetimeSecs === "number" &&
  typeof u.idlePriority === "boolean"
