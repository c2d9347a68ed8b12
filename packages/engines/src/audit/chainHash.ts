import { createHash, hash as oneShotHash } from "node:crypto"
import type { AuditContent, AuditRecord, PreparedAuditEvent } from "@atom/domain/audit"
import type { Types } from "effect"
import { canonicalJson } from "./canonicalJson.js"

/** Versioned, so a later encoding can coexist with rows hashed by this one. */
const ENCODING = "atom.audit.v1"

/**
 * The canonical content of a row: a JSON array of every stored field in a fixed order (details as its
 * own canonical JSON text), timestamps in RFC 3339 with milliseconds, the sequence as a decimal string.
 * `details` may be passed when the caller already holds `canonicalJson(row.details)`.
 */
export const canonicalContent = (row: AuditContent, details: string = canonicalJson(row.details)): string =>
  JSON.stringify([
    ENCODING,
    row.id.toLowerCase(),
    row.createdAt.toISOString(),
    row.actorId,
    row.tenantId,
    row.targetKind,
    row.targetId,
    row.event,
    row.outcome,
    details,
    row.clientIp,
    row.userAgent,
    row.requestId,
    row.chainId.toLowerCase(),
    String(row.chainSeq),
  ])

/** hash = SHA-256(previous hash ‖ canonical content), hex; the first row of a chain has no previous hash. */
export const hashContent = (row: AuditContent): string => hashStreamed(row.prevHash, canonicalContent(row))

/** SHA-256(previous hash ‖ content) through `createHash`, for any length. */
const hashStreamed = (prevHash: string | null, content: string): string => {
  const h = createHash("sha256")
  if (prevHash !== null) h.update(prevHash, "hex")
  return h.update(content, "utf8").digest("hex")
}

/** The last row of a chain as stored: where the next row links. */
export interface ChainHead {
  readonly seq: number
  readonly hash: string
  readonly createdAt: Date
}

/** Where the linker hashes: previous hash (32 bytes) then the content; a longer content takes `createHash`. */
const scratch = Buffer.allocUnsafe(64 * 1024)

/** `hashContent` of a row whose content is already canonical: one hash call over a reused buffer. */
const hashLinked = (prevHash: string | null, content: string): string => {
  const start = prevHash === null ? 0 : scratch.write(prevHash, 0, "hex")
  if (start + content.length * 3 > scratch.length) return hashStreamed(prevHash, content)
  const end = start + scratch.write(content, start, "utf8")
  return oneShotHash("sha256", scratch.subarray(0, end), "hex")
}

/** Links events one at a time onto a chain (see `linkRows`); the writer interleaves it with other work. */
export interface ChainLinker {
  /** The next row of the chain; `details` is `canonicalJson(event.details)` when the caller has it. */
  readonly link: (event: PreparedAuditEvent, details?: string) => AuditRecord
}

/**
 * Appends events to a chain after its head (null: a new chain starting at 1). Times never go backwards
 * within a chain (a row is stamped no earlier than its predecessor), so retention, which deletes by
 * time, always removes a prefix of each chain and never opens a gap. Rows are built field by field:
 * object spreads here cost more than the hash (the writer links thousands of rows per batch).
 */
export const makeChainLinker = (chainId: string, head: ChainHead | null): ChainLinker => {
  let seq = head?.seq ?? 0
  let prev = head?.hash ?? null
  let floor = head?.createdAt.getTime() ?? Number.NEGATIVE_INFINITY
  const link = (event: PreparedAuditEvent, details?: string): AuditRecord => {
    seq += 1
    const at = Math.max(event.createdAt.getTime(), floor)
    floor = at
    // the row with its hash slot from the start: adding `hash` afterwards changed the object's shape
    const row: Types.Mutable<AuditRecord> = {
      id: event.id,
      createdAt: at === event.createdAt.getTime() ? event.createdAt : new Date(at),
      actorId: event.actorId,
      tenantId: event.tenantId,
      targetKind: event.targetKind,
      targetId: event.targetId,
      event: event.event,
      outcome: event.outcome,
      details: event.details,
      clientIp: event.clientIp,
      userAgent: event.userAgent,
      requestId: event.requestId,
      chainId,
      chainSeq: seq,
      prevHash: prev,
      hash: "",
    }
    row.hash = hashLinked(prev, canonicalContent(row, details))
    prev = row.hash
    return row
  }
  return { link }
}

/** Every event linked onto a chain after its head, in order (`makeChainLinker` in one go). */
export const linkRows = (
  chainId: string,
  head: ChainHead | null,
  events: ReadonlyArray<PreparedAuditEvent>,
): Array<AuditRecord> => {
  const linker = makeChainLinker(chainId, head)
  return events.map((event) => linker.link(event))
}
