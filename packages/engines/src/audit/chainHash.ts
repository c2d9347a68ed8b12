import { createHash } from "node:crypto"
import type { AuditContent, AuditRecord, PreparedAuditEvent } from "@atom/domain/audit"
import { canonicalJson } from "./canonicalJson.js"

/** Versioned, so a later encoding can coexist with rows hashed by this one. */
const ENCODING = "atom.audit.v1"

/**
 * The canonical content of a row: a JSON array of every stored field in a fixed order (details as its
 * own canonical JSON text), timestamps in RFC 3339 with milliseconds, the sequence as a decimal string.
 */
export const canonicalContent = (row: AuditContent): string =>
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
    canonicalJson(row.details),
    row.clientIp,
    row.userAgent,
    row.requestId,
    row.chainId.toLowerCase(),
    String(row.chainSeq),
  ])

/** hash = SHA-256(previous hash ‖ canonical content), hex; the first row of a chain has no previous hash. */
export const hashContent = (row: AuditContent): string => {
  const h = createHash("sha256")
  if (row.prevHash !== null) h.update(row.prevHash, "hex")
  return h.update(canonicalContent(row), "utf8").digest("hex")
}

/** The last row of a chain as stored: where the next row links. */
export interface ChainHead {
  readonly seq: number
  readonly hash: string
  readonly createdAt: Date
}

/**
 * Appends events to a chain after its head (null: a new chain starting at 1). Times never go backwards
 * within a chain (a row is stamped no earlier than its predecessor), so retention, which deletes by
 * time, always removes a prefix of each chain and never opens a gap. Rows are built field by field:
 * object spreads here cost more than the hash (the writer links thousands of rows per batch).
 */
export const linkRows = (
  chainId: string,
  head: ChainHead | null,
  events: ReadonlyArray<PreparedAuditEvent>,
): Array<AuditRecord> => {
  const rows: Array<AuditRecord> = []
  let seq = head?.seq ?? 0
  let prev = head?.hash ?? null
  let floor = head?.createdAt.getTime() ?? Number.NEGATIVE_INFINITY
  for (const event of events) {
    seq += 1
    const at = Math.max(event.createdAt.getTime(), floor)
    floor = at
    const content: AuditContent = {
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
    }
    const hash = hashContent(content)
    rows.push(Object.assign(content, { hash }))
    prev = hash
  }
  return rows
}
