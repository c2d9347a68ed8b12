import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"

/** The tables whose tombstones the background purge removes, in the order it visits them (identity-certs §1.7). */
export const PURGE_TABLES = ["object_groups", "principal_groups", "resources", "entities", "roles", "tenants"] as const
export type PurgeTable = (typeof PURGE_TABLES)[number]

/** Advisory lock of a purge run, beside migration (…201), key-ring (…202), retention (…203) and CRL (…214). */
const PURGE_LOCK_KEY = 7_306_853_925_041_215

const Locked = Schema.Struct({ locked: Schema.Boolean })
const IdRow = Schema.Struct({ id: Schema.String })

/**
 * The set-based SQL of the background purge that the explicit purges do not share: one batch of old
 * tombstones per table and their removal. Every statement runs inside the caller's
 * transaction; table names come from PURGE_TABLES, never from input.
 */
export class TombstonePurges extends Effect.Service<TombstonePurges>()("atom/TombstonePurges", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ids = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
      decodeRows(IdRow)(statement).pipe(Effect.map((rows) => rows.map((r) => r.id)))

    return {
      /** One purge run across replicas: a transaction-scoped lock, not waited for. */
      tryLock: decodeRows(Locked)(sql`SELECT pg_try_advisory_xact_lock(${PURGE_LOCK_KEY}) AS locked`).pipe(
        Effect.map((r) => r[0]?.locked === true),
      ),

      /**
       * Locks up to `limit` rows of `table` tombstoned before `cutoff`, oldest tombstone first; rows another
       * transaction holds (a restore under way) are skipped, not waited for.
       */
      expired: (table: PurgeTable, cutoff: Date, limit: number) =>
        ids(
          sql`SELECT id FROM ${sql.unsafe(table)}
              WHERE deleted_at IS NOT NULL AND deleted_at < ${cutoff}
              ORDER BY deleted_at, id
              LIMIT ${limit}
              FOR UPDATE SKIP LOCKED`,
        ),

      /** Hard-deletes rows (their own cascades follow); answers how many went. */
      remove: (table: PurgeTable, rowIds: ReadonlyArray<string>) =>
        rowIds.length === 0
          ? Effect.succeed(0)
          : ids(sql`DELETE FROM ${sql.unsafe(table)} WHERE id IN ${uuidSet(sql, rowIds)} RETURNING id`).pipe(
              Effect.map((removed) => removed.length),
            ),
    }
  }),
}) {}
