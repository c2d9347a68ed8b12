import type { AuditRecord } from "@atom/domain/audit"

/**
 * Postgres array literals, one per audit_logs column, built row by row: the parameters of the INSERT's
 * `unnest`. Built here rather than by the driver, which serialises every array of a statement at once
 * (two regex replaces and a few string concatenations per element, then a flatten of the lot when the
 * message is written): the writer encodes rows as it links them, in slices between requests, and the
 * statement then carries 16 flat strings.
 *
 * Every `CHUNK` rows each column's values become one `JSON.stringify` of an array (native and fast). A
 * JSON string is a Postgres array element as it stands — quoted, `"` and `\` escaped with a backslash —
 * except where JSON writes an escape of its own (`\n`, `\u0000`, a lone surrogate): a chunk whose JSON has
 * a backslash before anything but `"` or `\` is encoded element by element instead (rare: details are
 * canonical JSON text already, other fields are short). JSON's `null` is Postgres's NULL.
 */
export interface AuditColumns {
  /** `details` is the row's details as JSON text (its canonical JSON when the caller has it). */
  readonly add: (row: AuditRecord, details?: string) => void
  readonly size: () => number
  /** The literals, `{…}` each, by column. */
  readonly literals: () => AuditColumnLiterals
}

export type AuditColumnName =
  | "id"
  | "createdAt"
  | "actorId"
  | "tenantId"
  | "targetKind"
  | "targetId"
  | "event"
  | "outcome"
  | "details"
  | "clientIp"
  | "userAgent"
  | "requestId"
  | "chainId"
  | "chainSeq"
  | "prevHash"
  | "hash"

export type AuditColumnLiterals = Readonly<Record<AuditColumnName, string>>

/** Rows per chunk: small enough that sealing one stays well under the writer's slice budget. */
const CHUNK = 128

/** A JSON escape Postgres would read differently (anything but `\"` and `\\`). */
const JSON_ONLY_ESCAPE = /\\[^"\\]/
const ESCAPED = /[\\"]/g

const element = (value: string | number | null): string =>
  value === null ? "NULL" : typeof value === "number" ? String(value) : `"${value.replace(ESCAPED, "\\$&")}"`

/** One chunk of a column as array elements, comma separated, without the braces. */
const encodeChunk = (values: ReadonlyArray<string | number | null>): string => {
  const json = JSON.stringify(values)
  return JSON_ONLY_ESCAPE.test(json) ? values.map(element).join(",") : json.slice(1, -1)
}

/** One value per column, made by `f` (the columns spelled out once, so the result is typed without a cast). */
const perColumn = <A>(f: (name: AuditColumnName) => A): Record<AuditColumnName, A> => ({
  id: f("id"),
  createdAt: f("createdAt"),
  actorId: f("actorId"),
  tenantId: f("tenantId"),
  targetKind: f("targetKind"),
  targetId: f("targetId"),
  event: f("event"),
  outcome: f("outcome"),
  details: f("details"),
  clientIp: f("clientIp"),
  userAgent: f("userAgent"),
  requestId: f("requestId"),
  chainId: f("chainId"),
  chainSeq: f("chainSeq"),
  prevHash: f("prevHash"),
  hash: f("hash"),
})

const NAMES: ReadonlyArray<AuditColumnName> = Object.values(perColumn((name) => name))

type Values = Record<AuditColumnName, Array<string | number | null>>

const emptyValues = (): Values => perColumn(() => [])

export const makeAuditColumns = (): AuditColumns => {
  let n = 0
  let open = emptyValues()
  const sealed = perColumn((): Array<string> => [])

  const seal = () => {
    if (open.id.length === 0) return
    for (const name of NAMES) sealed[name].push(encodeChunk(open[name]))
    open = emptyValues()
  }

  const add = (record: AuditRecord, details: string = JSON.stringify(record.details)) => {
    open.id.push(record.id)
    open.createdAt.push(record.createdAt.toISOString())
    open.actorId.push(record.actorId)
    open.tenantId.push(record.tenantId)
    open.targetKind.push(record.targetKind)
    open.targetId.push(record.targetId)
    open.event.push(record.event)
    open.outcome.push(record.outcome)
    open.details.push(details)
    open.clientIp.push(record.clientIp)
    open.userAgent.push(record.userAgent)
    open.requestId.push(record.requestId)
    open.chainId.push(record.chainId)
    open.chainSeq.push(record.chainSeq)
    open.prevHash.push(record.prevHash)
    open.hash.push(record.hash)
    n++
    if (n % CHUNK === 0) seal()
  }

  const literal = (name: AuditColumnName) => `{${sealed[name].join(",")}}`

  const literals = (): AuditColumnLiterals => {
    seal()
    return perColumn(literal)
  }

  return { add, size: () => n, literals }
}
