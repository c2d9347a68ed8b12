import type { AuditRecord } from "@atom/domain/audit"

/** The columns of `AUDIT_COPY`, in the order each line of `makeAuditCopyRows` carries them. */
export const AUDIT_COPY = `COPY audit_logs (id, created_at, actor_id, tenant_id, target_kind, target_id, event, outcome,
  details, client_ip, user_agent, request_id, chain_id, chain_seq, prev_hash, hash) FROM STDIN`

/** A character COPY's text format reads specially inside a value. */
const SPECIAL = /[\\\t\n\r]/
const SPECIALS = /[\\\t\n\r]/g
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" }
const escapeOne = (c: string): string => ESCAPES[c] ?? c

/** A value in COPY's text format: `\N` for NULL, else the text with `\`, tab, newline and CR escaped. */
export const copyValue = (value: string | null): string =>
  value === null ? "\\N" : SPECIAL.test(value) ? value.replace(SPECIALS, escapeOne) : value

/** A 32-byte hash as bytea's hex input (`\x…`), its backslash escaped for COPY. */
const copyBytea = (hex: string | null): string => (hex === null ? "\\N" : `\\\\x${hex}`)

/** Audit rows as the data of `AUDIT_COPY` (COPY's text format), built row by row. */
export interface AuditCopyRows {
  /** `details` is the row's details as JSON text (its canonical JSON when the caller has it). */
  readonly add: (row: AuditRecord, details?: string) => void
  readonly size: () => number
  /** The data, UTF-8 (a view of the builder's buffer). */
  readonly data: () => Buffer
}

const NEWLINE = 0x0a

/** Room for a typical batch of the hot-path queue (~550 bytes a row); grown by doubling when short. */
const INITIAL_BYTES = 256 * 1024

/**
 * Each line goes straight into one growing buffer as it is made: collecting the lines and joining them
 * cost twice as much (a 1 MB string flattened, then encoded as a whole).
 */
export const makeAuditCopyRows = (): AuditCopyRows => {
  let buffer = Buffer.allocUnsafe(INITIAL_BYTES)
  let used = 0
  let rows = 0
  const add = (r: AuditRecord, details: string = JSON.stringify(r.details)) => {
    // one flat string: a template of 32 parts made a tree of concatenations that writing then flattened
    const line = [
      copyValue(r.id),
      r.createdAt.toISOString(),
      copyValue(r.actorId),
      copyValue(r.tenantId),
      copyValue(r.targetKind),
      copyValue(r.targetId),
      copyValue(r.event),
      copyValue(r.outcome),
      copyValue(details),
      copyValue(r.clientIp),
      copyValue(r.userAgent),
      copyValue(r.requestId),
      copyValue(r.chainId),
      r.chainSeq,
      copyBytea(r.prevHash),
      copyBytea(r.hash),
    ].join("\t")
    // a UTF-16 code unit takes at most 3 bytes of UTF-8
    const room = used + line.length * 3 + 1
    if (room > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(room, buffer.length * 2))
      buffer.copy(grown, 0, 0, used)
      buffer = grown
    }
    used += buffer.write(line, used, "utf8")
    buffer[used++] = NEWLINE
    rows++
  }
  return { add, size: () => rows, data: () => buffer.subarray(0, used) }
}
