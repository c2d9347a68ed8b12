import type { AuditCursor, AuditFilter, AuditRecord, AuditScope } from "@atom/domain/audit"
import { InvalidInput } from "@atom/domain/errors"
import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { copyFrom, transactionPgClient } from "../db/copyFrom.js"
import { decodeRows, execute } from "../db/decodeRows.js"
import type { DbFailure } from "../db/sqlErrors.js"
import { AUDIT_COLUMNS, AuditPageRow, AuditRow, ChainHeadRow, DeletedLinkRow } from "./AuditRow.js"
import { type AuditColumns, makeAuditColumns } from "./auditColumns.js"
import { AUDIT_COPY, makeAuditCopyRows } from "./auditCopyRows.js"
import { auditWhere } from "./auditFilterSql.js"

/** Advisory-lock class of audit chains ('AUDT'), apart from every other advisory lock Atom takes. */
const CHAIN_LOCK_CLASS = 0x41554454

/** A chain's lock key: the first 32 bits of its uuid as a signed int4. */
export const chainLockKey = (chainId: string): number => Number.parseInt(chainId.slice(0, 8), 16) | 0

const Locked = Schema.Struct({ locked: Schema.Boolean })
const Count = Schema.Struct({ count: Schema.NumberFromString })
const IdRow = Schema.Struct({ id: Schema.String })

/** Rows from which a batch on Postgres goes in by COPY (fewer: one INSERT, a round trip less). */
export const COPY_MIN_ROWS = 32

/** Rows to append: added one by one as they are linked, then written in one statement. */
export interface AuditBatch {
  /** `details` is the row's details as JSON text (its canonical JSON when the caller has it). */
  readonly add: (row: AuditRecord, details?: string) => void
  readonly write: Effect.Effect<void, DbFailure>
  /** How it writes: COPY (Postgres, a batch of at least COPY_MIN_ROWS in a transaction) or one INSERT. */
  readonly via: "copy" | "insert"
}

/** The audit_logs table: append by chain, read newest first, walk by chain, delete by age. */
export class AuditLogs extends Effect.Service<AuditLogs>()("atom/AuditLogs", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(AuditRow)
    const columns = sql.unsafe(AUDIT_COLUMNS)

    /**
     * One multi-row INSERT, whatever the batch size: each column travels as one array parameter and
     * `unnest` zips them back into rows (cheaper for Postgres than parsing the batch as one JSON document).
     */
    const insertColumns = (encoded: AuditColumns) => {
      if (encoded.size() === 0) return Effect.void
      const c = encoded.literals()
      return execute(
        sql`INSERT INTO audit_logs (id, created_at, actor_id, tenant_id, target_kind, target_id, event, outcome,
              details, client_ip, user_agent, request_id, chain_id, chain_seq, prev_hash, hash)
            SELECT x.id, x.created_at, x.actor_id, x.tenant_id, x.target_kind, x.target_id, x.event, x.outcome,
              x.details::jsonb, x.client_ip, x.user_agent, x.request_id, x.chain_id, x.chain_seq,
              decode(x.prev_hash, 'hex'), decode(x.hash, 'hex')
            FROM unnest(${c.id}::uuid[], ${c.createdAt}::timestamptz[], ${c.actorId}::uuid[], ${c.tenantId}::uuid[],
              ${c.targetKind}::text[], ${c.targetId}::uuid[], ${c.event}::text[], ${c.outcome}::text[],
              ${c.details}::text[], ${c.clientIp}::text[], ${c.userAgent}::text[], ${c.requestId}::text[],
              ${c.chainId}::uuid[], ${c.chainSeq}::bigint[], ${c.prevHash}::text[], ${c.hash}::text[])
            AS x(id, created_at, actor_id, tenant_id, target_kind, target_id, event, outcome, details, client_ip,
              user_agent, request_id, chain_id, chain_seq, prev_hash, hash)`,
      )
    }

    const insertBatch = (): AuditBatch => {
      const columns = makeAuditColumns()
      return { add: columns.add, write: Effect.suspend(() => insertColumns(columns)), via: "insert" }
    }

    /** A batch for about `rows` rows, written in the current transaction. */
    const batch = (rows: number): Effect.Effect<AuditBatch> =>
      rows < COPY_MIN_ROWS
        ? Effect.sync(insertBatch)
        : Effect.map(
            transactionPgClient,
            Option.match({
              onNone: insertBatch,
              onSome: (client): AuditBatch => {
                const copy = makeAuditCopyRows()
                return {
                  add: copy.add,
                  write: Effect.suspend(() => {
                    const rejected = copy.rejected()
                    if (rejected !== null)
                      return Effect.fail(new InvalidInput({ message: `invalid value: ${rejected}` }))
                    return copy.size() === 0 ? Effect.void : execute(copyFrom(client, AUDIT_COPY, copy.data()))
                  }),
                  via: "copy",
                }
              },
            }),
          )

    return {
      /** Takes a chain for the rest of the current transaction, without waiting: false when another has it. */
      tryLockChain: (chainId: string) =>
        decodeRows(Locked)(
          sql`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK_CLASS}, ${chainLockKey(chainId)}) AS locked`,
        ).pipe(Effect.map((r) => r[0]?.locked === true)),

      /** The current transaction commits without waiting for its WAL to reach disk (hot-path audit only). */
      relaxCommit: execute(sql`SET LOCAL synchronous_commit = off`),

      /** The newest row of a chain (read after its lock is held, so it is the committed head). */

      chainHead: (chainId: string) =>
        decodeRows(ChainHeadRow)(
          sql`SELECT a.chain_seq::text AS chain_seq, encode(a.hash, 'hex') AS hash, a.created_at
              FROM audit_logs a WHERE a.chain_id = ${chainId}::uuid ORDER BY a.chain_seq DESC LIMIT 1`,
        ).pipe(Effect.map((r) => r[0])),

      /**
       * A batch to fill as rows are linked (in slices between requests) and then write: on Postgres, a
       * batch of COPY_MIN_ROWS or more inside a transaction goes in by COPY, anything else by one INSERT.
       */
      batch,

      /** Which of these event ids are stored (one primary-key probe each). */
      storedIds: (ids: ReadonlyArray<string>) =>
        ids.length === 0
          ? Effect.succeed(new Set<string>())
          : decodeRows(IdRow)(sql`SELECT id FROM audit_logs WHERE id = ANY(${ids}::uuid[])`).pipe(
              Effect.map((r): ReadonlySet<string> => new Set(r.map((row) => row.id))),
            ),

      /** A page newest first (ties by id), and the count of every row the filter and scope admit. */
      page: (filter: AuditFilter, scope: AuditScope, limit: number, offset: number) =>
        Effect.all(
          [
            rows(
              sql`SELECT ${columns} FROM audit_logs WHERE ${auditWhere(sql, filter, scope)}
                  ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
            ),
            decodeRows(Count)(
              sql`SELECT count(*)::text AS count FROM audit_logs WHERE ${auditWhere(sql, filter, scope)}`,
            ).pipe(Effect.map((r) => r[0]?.count ?? 0)),
          ],
          { concurrency: 2 },
        ).pipe(Effect.map(([items, total]) => ({ items, total }))),

      /** The next `limit` rows newest first after a cursor: exports stream with this, never OFFSET. */
      after: (filter: AuditFilter, scope: AuditScope, cursor: AuditCursor | null, limit: number) =>
        decodeRows(AuditPageRow)(
          sql`SELECT ${columns}, created_at::text AS cursor_at FROM audit_logs
              WHERE ${auditWhere(sql, filter, scope, cursor)}
              ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
        ),

      /** Rows in (chain_id, chain_seq) order after a position: verification walks every chain with this. */
      chainWalk: (after: { readonly chainId: string; readonly seq: number } | null, limit: number) =>
        rows(
          after === null
            ? sql`SELECT ${columns} FROM audit_logs a ORDER BY a.chain_id, a.chain_seq LIMIT ${limit}`
            : sql`SELECT ${columns} FROM audit_logs a WHERE (a.chain_id, a.chain_seq) > (${after.chainId}::uuid, ${after.seq})
                  ORDER BY a.chain_id, a.chain_seq LIMIT ${limit}`,
        ),

      /**
       * Deletes up to about `limit` of the oldest rows before `cutoff`, always a prefix of each chain: the
       * oldest rows are picked by time, then every earlier row of their chains goes too (a chain's times
       * never decrease, so those are older still). Returns what it deleted, for the chain anchors.
       */
      deleteOldest: (cutoff: Date, limit: number) =>
        decodeRows(DeletedLinkRow)(
          sql`WITH picked AS (
                SELECT chain_id, chain_seq FROM audit_logs WHERE created_at < ${cutoff}
                ORDER BY created_at LIMIT ${limit}
              ), upto AS (SELECT chain_id, max(chain_seq) AS seq FROM picked GROUP BY chain_id)
              DELETE FROM audit_logs a USING upto u
              WHERE a.chain_id = u.chain_id AND a.chain_seq <= u.seq AND a.created_at < ${cutoff}
              RETURNING a.chain_id, a.chain_seq::text AS chain_seq, encode(a.hash, 'hex') AS hash`,
        ),
    }
  }),
}) {}
