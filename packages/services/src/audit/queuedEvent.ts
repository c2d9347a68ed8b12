import type { AuditEvent, AuditRequestInfo, PreparedAuditEvent } from "@atom/domain/audit"
import { prepareEvent } from "./prepareEvent.js"
import { timeOrderedId } from "./timeOrderedId.js"

/**
 * A hot-path event as the use case reported it, read back out of its chunk (`auditChunkCodec.ts`): its id
 * and time fixed at enqueue, its scrubbing and normalisation (`prepareEvent`) left to the writer, which does
 * them row by row as it links the batch (in the writer process on Postgres, in slices between requests on
 * PGlite) instead of inside the request that produced the event (a bulk Check's 200 events cost it about 0.3 ms).
 */
export interface RawQueuedEvent {
  readonly kind: "raw"
  readonly id: string
  readonly nowMs: number
  readonly source: AuditEvent
  readonly request: AuditRequestInfo
}

/** A hot-path event: prepared at enqueue (it had a log line to write, or details that are not plain JSON), or raw. */
export type QueuedAuditEvent = PreparedAuditEvent | RawQueuedEvent

/** A raw event of `source`: its id (UUIDv7 of `nowMs`) and time fixed now, as `prepareEvent` would. */
export const rawQueuedEvent = (source: AuditEvent, nowMs: number, request: AuditRequestInfo): RawQueuedEvent => ({
  kind: "raw",
  id: timeOrderedId(nowMs),
  nowMs,
  source,
  request,
})

export const isRaw = (e: QueuedAuditEvent): e is RawQueuedEvent => "kind" in e && e.kind === "raw"

/** The event ready to link and store. */
export const preparedOf = (e: QueuedAuditEvent): PreparedAuditEvent =>
  isRaw(e) ? prepareEvent(e.source, e.nowMs, e.request, e.id) : e

/** The event's name, for a log line about it. */
export const queuedEventName = (e: QueuedAuditEvent): string => (isRaw(e) ? e.source.event : e.event)

const MAX_PLAIN_DEPTH = 4

/**
 * Whether a value is plain JSON (strings, finite numbers, booleans, null, arrays and plain objects, a few
 * levels deep): such details cross to the writer process as JSON text (`auditChunkCodec.ts`), which
 * carries them exactly, and scrub there as they would here. Anything else (a Date, a class instance, a function) is prepared at enqueue instead.
 */
export const isPlainJson = (value: unknown, depth = 0): boolean => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || depth >= MAX_PLAIN_DEPTH) return false
  if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1))
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  for (const key of Object.keys(value)) if (!isPlainJson(Reflect.get(value, key), depth + 1)) return false
  return true
}
