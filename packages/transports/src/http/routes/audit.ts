import type { IncomingMessage, ServerResponse } from "node:http"
import type { AtomConfig, Cidr } from "@atom/domain/config"
import { type AtomError, InvalidInput } from "@atom/domain/errors"
import { type AuditExport, type AuditPageRow, AuditReader } from "@atom/services/audit"
import type { Authenticator } from "@atom/services/auth"
import { Cause, Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { INTERNAL, toWire } from "../../errors/wire.js"
import { restCaller } from "../authenticate.js"
import { clientAddress } from "../clientAddress.js"
import type { RouteRequest } from "../Route.js"

/** Rows per round trip: memory stays at one batch, whatever the range. */
const BATCH = 500

const COLUMNS = [
  "id",
  "created_at",
  "actor_entity_id",
  "tenant_id",
  "target_kind",
  "target_id",
  "event",
  "outcome",
  "details",
  "client_ip",
  "user_agent",
  "request_id",
  "chain_id",
  "chain_seq",
  "prev_hash",
  "hash",
] as const

type ExportFormat = "csv" | "json"
const isFormat = (value: string): value is ExportFormat => value === "csv" || value === "json"

const record = (row: AuditPageRow) => ({
  id: row.id,
  created_at: row.createdAt.toISOString(),
  actor_entity_id: row.actorId,
  tenant_id: row.tenantId,
  target_kind: row.targetKind,
  target_id: row.targetId,
  event: row.event,
  outcome: row.outcome,
  details: row.details,
  client_ip: row.clientIp,
  user_agent: row.userAgent,
  request_id: row.requestId,
  chain_id: row.chainId,
  chain_seq: row.chainSeq,
  prev_hash: row.prevHash,
  hash: row.hash,
})

/**
 * One CSV cell (RFC 4180): quoted when it holds a separator, quote or line break. A text cell that a
 * spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with `'`.
 */
export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  let text = typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value)
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const csvLine = (row: AuditPageRow): string => {
  const r = record(row)
  return `${COLUMNS.map((c) => csvCell(r[c])).join(",")}\r\n`
}

export interface AuditExportOptions<R> {
  readonly runtime: Runtime.Runtime<R>
  readonly trustedProxyCidrs: ReadonlyArray<Cidr>
  readonly onDefect: (cause: Cause.Cause<unknown>, request: { method: string; path: string; requestId: string }) => void
}

const sendError = (res: ServerResponse, error: AtomError) => {
  const wire = toWire(error)
  res.writeHead(wire.http, { "content-type": "application/json" })
  res.end(JSON.stringify({ error: wire.message }))
}

/** Resolves when the socket can take more, or is gone. */
const drained = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done)
      res.off("close", done)
      resolve()
    }
    res.once("drain", done)
    res.once("close", done)
  })

/**
 * `GET /audit/export?format=csv|json&from=&to=&tenantId=` (ours; the reference leaves CSV export to the
 * UI, 2000 rows at most). Authenticated like every REST route, scoped like `auditLogs`, and it accepts
 * the other `auditLogs` filters too (actorEntityId, targetKind, targetId, event, outcome). Rows stream
 * newest first in batches with a keyset cursor, written as the socket drains, so neither side holds the
 * range in memory. A failure after the first byte cuts the connection: a truncated export never looks
 * complete (JSON is left unterminated).
 */
export const auditExportHandler =
  <R>(options: AuditExportOptions<R | AuditReader | AtomConfig | Authenticator>) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const run = EffectRuntime.runPromiseExit(options.runtime)
    const url = new URL(req.url ?? "/", "http://localhost")
    const query = url.searchParams
    const requestId = String(res.getHeader("x-request-id") ?? "")
    const method = req.method ?? "GET"
    const request: RouteRequest = {
      method,
      path: url.pathname,
      params: {},
      query,
      headers: req.headers,
      clientIp: clientAddress(req.socket.remoteAddress ?? "", req.headers, options.trustedProxyCidrs),
      requestId,
      body: Effect.succeed(new Uint8Array(0)),
    }
    const defect = (cause: Cause.Cause<unknown>) => options.onDefect(cause, { method, path: url.pathname, requestId })
    const param = (name: string) => query.get(name)

    const open = Effect.gen(function* () {
      const format = param("format") ?? "json"
      if (!isFormat(format)) {
        return yield* new InvalidInput({ message: "format must be csv or json" })
      }
      const { caller } = yield* restCaller(request)
      const reader = yield* AuditReader
      const plan = yield* reader.openExport(caller, {
        tenantId: param("tenantId") ?? param("tenant_id"),
        from: param("from"),
        to: param("to"),
        actorEntityId: param("actorEntityId"),
        targetKind: param("targetKind"),
        targetId: param("targetId"),
        event: param("event"),
        outcome: param("outcome"),
      })
      return { reader, plan, format }
    })

    const stream = async (reader: AuditReader["Type"], plan: AuditExport, format: ExportFormat) => {
      res.writeHead(200, {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json",
        "content-disposition": `attachment; filename="audit-export.${format}"`,
        "cache-control": "no-store",
      })
      if (!res.write(format === "csv" ? `${COLUMNS.join(",")}\r\n` : "[")) await drained(res)
      let cursor: { createdAt: string; id: string } | null = null
      let first = true
      while (!res.destroyed) {
        const page: Exit.Exit<ReadonlyArray<AuditPageRow>, unknown> = await run(reader.exportPage(plan, cursor, BATCH))
        if (Exit.isFailure(page)) {
          if (!Cause.isInterruptedOnly(page.cause)) defect(page.cause)
          res.destroy()
          return
        }
        const rows: ReadonlyArray<AuditPageRow> = page.value
        let chunk = ""
        for (const row of rows) {
          chunk += format === "csv" ? csvLine(row) : `${first ? "" : ","}${JSON.stringify(record(row))}`
          first = false
        }
        if (chunk !== "" && !res.write(chunk)) await drained(res)
        const last: AuditPageRow | undefined = rows[rows.length - 1]
        if (last === undefined || rows.length < BATCH) break
        cursor = { createdAt: last.cursorAt, id: last.id }
      }
      if (!res.destroyed) res.end(format === "json" ? "]" : "")
    }

    void run(open).then((exit) => {
      if (Exit.isSuccess(exit)) return stream(exit.value.reader, exit.value.plan, exit.value.format)
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") return sendError(res, failure.value)
      defect(exit.cause)
      res.writeHead(INTERNAL.http, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: INTERNAL.message }))
    })
  }
