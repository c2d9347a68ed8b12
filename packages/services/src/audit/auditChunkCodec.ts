import type { AuditEvent, AuditRequestInfo, PreparedAuditEvent } from "@atom/domain/audit"
import { isOutcome, isPreparedEvent, isRecord } from "./auditEventGuards.js"
import { isRaw, preparedOf, type QueuedAuditEvent, type RawQueuedEvent } from "./queuedEvent.js"
import { timeOrderedIdInto, UUID_BYTES, uuidBytesInto, uuidText } from "./timeOrderedId.js"

/**
 * A chunk of hot-path events, as the queue holds them and as they cross to the writer process. Raw events
 * (nearly all of them) are columns: every string once in a table (the events of one request share their
 * actor, target, request id, user agent and often their details), each event a row of indexes into it, ids
 * as 16 bytes each and times in a Float64Array. An event is written into its chunk when it is queued, so the
 * queue holds no object per event: what waits for the database is a few flat buffers that the garbage
 * collector neither scans nor copies (objects held that long were promoted, ~4 MB per scavenge at 15,000
 * events/s, and made each scavenge a 10–27 ms pause). V8 serializes the columns as they are, and the writer
 * reads them back in a fraction of the time a graph of small objects takes. Prepared events (rare: those
 * with a log line, or with details that are not plain JSON) go as objects.
 */
export interface EncodedEvents {
  /** how many events, raw and prepared */
  readonly count: number
  /** the strings the cells point at */
  readonly strings: ReadonlyArray<string>
  /** the raw events' ids (UUIDs), 16 bytes each, in order */
  readonly ids: Uint8Array
  /** per raw event: the enqueue time (ms), then its own time (`at`, NaN when it has none) */
  readonly times: Float64Array
  /** per raw event, FIELDS cells: an index into `strings`, NULL or ABSENT */
  readonly cells: Int32Array
  /** the prepared events, each with its place among all the events */
  readonly prepared: ReadonlyArray<PreparedAuditEvent>
  readonly preparedAt: Int32Array
}

/** Events per chunk at most: a chunk is one message to the writer process, which serializes in well under a ms. */
export const AUDIT_CHUNK_EVENTS = 200

const NULL = -1
const ABSENT = -2
/** source: event, outcome, actor, tenant, target kind, target, details (JSON), client IP, user agent, request id; then the request's three */
const FIELDS = 13

/**
 * The own keys and values of a details object whose values are all plain (a string, number, boolean, null or
 * undefined), copied: two such objects with the same keys in the same order and the same values have the same
 * JSON. Undefined for details with a nested value.
 */
interface FlatDetails {
  readonly keys: ReadonlyArray<string>
  readonly values: ReadonlyArray<unknown>
}

const flatDetails = (details: Readonly<Record<string, unknown>>): FlatDetails | undefined => {
  const keys = Object.keys(details)
  const values = keys.map((key) => Reflect.get(details, key))
  return values.some((v) => typeof v === "object" && v !== null) ? undefined : { keys, values }
}

const matches = (details: Readonly<Record<string, unknown>>, flat: FlatDetails): boolean => {
  const keys = Object.keys(details)
  if (keys.length !== flat.keys.length) return false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    if (key === undefined || key !== flat.keys[i] || Reflect.get(details, key) !== flat.values[i]) return false
  }
  return true
}

/** A chunk being filled, event by event, up to its capacity. */
export interface ChunkBuilder {
  readonly size: () => number
  readonly full: () => boolean
  /** A raw event queued now: its id (UUIDv7 of `nowMs`) drawn here. Its details must be plain JSON (`isPlainJson`). */
  readonly addRaw: (source: AuditEvent, nowMs: number, request: AuditRequestInfo) => void
  /** An event that already has its id: raw ones keep it, prepared ones (and any id `uuidText` would not give back) go as objects. */
  readonly add: (event: QueuedAuditEvent) => void
  /** The chunk (trimmed to what was added); the builder is not used after. */
  readonly seal: () => EncodedEvents
}

export const makeChunkBuilder = (capacity: number): ChunkBuilder => {
  const strings: Array<string> = []
  const index = new Map<string, number>()
  // a bulk request's events repeat the previous event's values: compared first, before the table's lookup
  const previous: Array<string | null | undefined> = new Array(FIELDS).fill(undefined)
  const previousAt: Array<number> = new Array(FIELDS).fill(ABSENT)
  // a bulk request's events carry equal details, each its own object: the last one's JSON serves the next
  // (compared with a copy of its values, so a details object changed after it was queued is serialized again)
  let lastDetails: FlatDetails | undefined
  let lastDetailsJson = ""
  const ids = new Uint8Array(capacity * UUID_BYTES)
  const times = new Float64Array(capacity * 2)
  const cells = new Int32Array(capacity * FIELDS)
  const prepared: Array<PreparedAuditEvent> = []
  const preparedAt: Array<number> = []
  let count = 0
  let r = 0

  const ref = (value: string | null | undefined): number => {
    if (value === undefined) return ABSENT
    if (value === null) return NULL
    let at = index.get(value)
    if (at === undefined) {
      at = strings.length
      // Flattened in place before the queue holds it: a string built by concatenation (a request id from
      // randomUUID, ~15 joins) is a tree of cons cells, ~480 bytes for 36 characters, until something reads
      // it by index; V8 would flatten it anyway when the chunk is serialized for the writer, but a queue
      // that waits for the database keeps the trees until then (bench/scenarios/auditQueueMemory.ts).
      value.charCodeAt(0)
      strings.push(value)
      index.set(value, at)
    }
    return at
  }
  const field = (k: number, value: string | null | undefined): number => {
    if (value === previous[k]) return previousAt[k] ?? ABSENT
    const at = ref(value)
    previous[k] = value
    previousAt[k] = at
    return at
  }
  const detailsJson = (details: Readonly<Record<string, unknown>>): string => {
    if (lastDetails !== undefined && matches(details, lastDetails)) return lastDetailsJson
    lastDetails = flatDetails(details)
    lastDetailsJson = JSON.stringify(details)
    return lastDetailsJson
  }
  /** the columns of the r-th raw event but its id */
  const columns = (source: AuditEvent, nowMs: number, request: AuditRequestInfo) => {
    times[r * 2] = nowMs
    times[r * 2 + 1] = source.at === undefined ? Number.NaN : source.at.getTime()
    const o = r * FIELDS
    cells[o] = field(0, source.event)
    cells[o + 1] = field(1, source.outcome)
    cells[o + 2] = field(2, source.actorId)
    cells[o + 3] = field(3, source.tenantId)
    cells[o + 4] = field(4, source.targetKind)
    cells[o + 5] = field(5, source.targetId)
    cells[o + 6] = source.details === undefined ? ABSENT : field(6, detailsJson(source.details))
    cells[o + 7] = field(7, source.clientIp)
    cells[o + 8] = field(8, source.userAgent)
    cells[o + 9] = field(9, source.requestId)
    cells[o + 10] = field(10, request.clientIp)
    cells[o + 11] = field(11, request.userAgent)
    cells[o + 12] = field(12, request.requestId)
    r++
    count++
  }
  const addPrepared = (event: PreparedAuditEvent) => {
    prepared.push(event)
    preparedAt.push(count)
    count++
  }

  return {
    size: () => count,
    full: () => count >= capacity,
    addRaw: (source, nowMs, request) => {
      timeOrderedIdInto(nowMs, ids, r * UUID_BYTES)
      columns(source, nowMs, request)
    },
    add: (event) => {
      // an id that would not read back exactly goes with its event, prepared
      if (isRaw(event) && uuidBytesInto(event.id, ids, r * UUID_BYTES))
        columns(event.source, event.nowMs, event.request)
      else addPrepared(preparedOf(event))
    },
    seal: () => ({
      count,
      strings,
      // a chunk sealed before it filled sends only what it holds (a view would carry its whole buffer)
      ids: ids.length === r * UUID_BYTES ? ids : ids.slice(0, r * UUID_BYTES),
      times: times.length === r * 2 ? times : times.slice(0, r * 2),
      cells: cells.length === r * FIELDS ? cells : cells.slice(0, r * FIELDS),
      prepared,
      preparedAt: Int32Array.from(preparedAt),
    }),
  }
}

/** The columns of a chunk's events (raw details are plain JSON, `isPlainJson`, so JSON carries them exactly). */
export const encodeEvents = (events: ReadonlyArray<QueuedAuditEvent>): EncodedEvents => {
  const builder = makeChunkBuilder(events.length)
  for (const event of events) builder.add(event)
  return builder.seal()
}

/** Reads the columns back into events; null when anything is out of shape (the writer then refuses the chunk). */
export const decodeEvents = (u: unknown): ReadonlyArray<QueuedAuditEvent> | null => {
  if (!isRecord(u)) return null
  const { count, strings, ids, times, cells, prepared, preparedAt } = u
  if (
    typeof count !== "number" ||
    !Number.isSafeInteger(count) ||
    !Array.isArray(strings) ||
    !strings.every((s) => typeof s === "string") ||
    !(ids instanceof Uint8Array) ||
    !(times instanceof Float64Array) ||
    !(cells instanceof Int32Array) ||
    !Array.isArray(prepared) ||
    !prepared.every(isPreparedEvent) ||
    !(preparedAt instanceof Int32Array) ||
    preparedAt.length !== prepared.length
  )
    return null
  const raws = count - prepared.length
  if (raws < 0 || ids.length !== raws * UUID_BYTES || times.length !== raws * 2 || cells.length !== raws * FIELDS)
    return null
  const table: ReadonlyArray<string> = strings
  const text = (cell: number | undefined): string | null | undefined | false => {
    if (cell === NULL) return null
    if (cell === ABSENT) return undefined
    return cell !== undefined && cell >= 0 && cell < table.length ? (table[cell] ?? false) : false
  }
  // each distinct details text parsed once: scrubbing copies, so events may share the parsed object
  const parsed = new Map<number, Record<string, unknown> | false>()
  const details = (cell: number | undefined): Record<string, unknown> | undefined | false => {
    if (cell === ABSENT) return undefined
    if (cell === undefined || cell < 0 || cell >= table.length) return false
    let value = parsed.get(cell)
    if (value === undefined) {
      value = parseObject(table[cell] ?? "")
      parsed.set(cell, value)
    }
    return value
  }
  const out: Array<QueuedAuditEvent> = []
  let p = 0
  for (let position = 0, r = 0; position < count; position++) {
    if (p < preparedAt.length && preparedAt[p] === position) {
      // each one was checked above
      const e = prepared[p++]
      if (e === undefined) return null
      out.push(e)
      continue
    }
    const raw = rawAt(r++, ids, times, cells, text, details)
    if (raw === null) return null
    out.push(raw)
  }
  return p === prepared.length ? out : null
}

const parseObject = (json: string): Record<string, unknown> | false => {
  try {
    const value: unknown = JSON.parse(json)
    return isRecord(value) && !Array.isArray(value) ? value : false
  } catch {
    return false
  }
}

/** The r-th raw event of the columns, or null when a cell is out of shape. */
const rawAt = (
  r: number,
  ids: Uint8Array,
  times: Float64Array,
  cells: Int32Array,
  text: (cell: number | undefined) => string | null | undefined | false,
  details: (cell: number | undefined) => Record<string, unknown> | undefined | false,
): RawQueuedEvent | null => {
  const o = r * FIELDS
  const fields = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12].map((k) => text(cells[o + k]))
  const [event, outcome, actorId, tenantId, targetKind, targetId, clientIp, userAgent, requestId] = fields
  const [requestIp, requestAgent, requestRequestId] = fields.slice(9)
  const d = details(cells[o + 6])
  const nowMs = times[r * 2] ?? Number.NaN
  const atMs = times[r * 2 + 1] ?? Number.NaN
  if (fields.includes(false) || d === false || typeof event !== "string" || !isOutcome(outcome)) return null
  if (!Number.isFinite(nowMs)) return null
  return {
    kind: "raw",
    id: uuidText(ids, r * UUID_BYTES),
    nowMs,
    source: {
      event,
      outcome,
      actorId: orAbsent(actorId),
      tenantId: orAbsent(tenantId),
      targetKind: orAbsent(targetKind),
      targetId: orAbsent(targetId),
      details: d,
      clientIp: orAbsent(clientIp),
      userAgent: orAbsent(userAgent),
      requestId: orAbsent(requestId),
      at: Number.isNaN(atMs) ? undefined : new Date(atMs),
    },
    request: {
      clientIp: orAbsent(requestIp),
      userAgent: orAbsent(requestAgent),
      requestId: orAbsent(requestRequestId),
    },
  }
}

const orAbsent = (value: string | null | undefined | false): string | null | undefined =>
  value === false ? undefined : value

/** The events of a chunk this process made; one out of shape cannot come from the builder, so it is a defect. */
export const chunkEvents = (chunk: EncodedEvents): ReadonlyArray<QueuedAuditEvent> => {
  const events = decodeEvents(chunk)
  if (events === null) throw new Error("audit chunk out of shape")
  return events
}

/** Every event's id. */
export const chunkIds = (chunk: EncodedEvents): Array<string> => {
  const ids = chunk.prepared.map((e) => e.id)
  for (let at = 0; at < chunk.ids.length; at += UUID_BYTES) ids.push(uuidText(chunk.ids, at))
  return ids
}

/** The chunk without the events of these ids (the same chunk when it has none of them; null when none is left). */
export const chunkWithout = (chunk: EncodedEvents, ids: ReadonlySet<string>): EncodedEvents | null => {
  if (!chunkIds(chunk).some((id) => ids.has(id))) return chunk
  const kept = chunkEvents(chunk).filter((e) => !ids.has(e.id))
  return kept.length === 0 ? null : encodeEvents(kept)
}

/** A chunk of one event per event (to find the one the database refuses). */
export const singleEventChunks = (chunk: EncodedEvents): Array<EncodedEvents> =>
  chunk.count <= 1 ? [chunk] : chunkEvents(chunk).map((e) => encodeEvents([e]))
