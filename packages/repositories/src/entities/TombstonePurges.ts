import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { uuidSet } from "./sqlFilters.js"

/** The tables whose tombstones the background purge removes, in the order it visits them (identity-certs §1.7). */
export const PURGE_TABLES = ["object_groups", "principal_groups", "resources", "entities", "roles", "tenants"] as const
export type PurgeTable = (typeof PURGE_TABLES)[number]

/** Advisory lock of a purge run, beside migration (…201), key-ring (…202), retention (…203) and CRL (…214). */
const PURGE_LOCK_KEY = 7_306_853_925_041_215

const Locked = Schema.Struct({ locked: Schema.Boolean })
const IdRow = Schema.Struct({ id: Schema.String })

/**
 * The set-based SQL of the background purge: one batch of old tombstones per table, the ids a removal takes
 * with it, and the authorization rows that would dangle after it. Every statement runs inside the caller's
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

      /** The credentials of entities (removed with them by cascade). */
      credentialsOf: (entityIds: ReadonlyArray<string>) =>
        ids(sql`SELECT id FROM credentials WHERE entity_id IN ${uuidSet(sql, entityIds)}`),

      /** The permission blocks linked to roles: candidates for removal once the roles are gone. */
      blocksOfRoles: (roleIds: ReadonlyArray<string>) =>
        ids(
          sql`SELECT DISTINCT permission_block_id AS id FROM role_permission_blocks
              WHERE role_id IN ${uuidSet(sql, roleIds)}`,
        ),

      /** Everything a tenant's removal takes by cascade: its entities and their credentials, resources, groups, roles. */
      objectsOfTenants: (tenantIds: ReadonlyArray<string>) => {
        const tenants = uuidSet(sql, tenantIds)
        return ids(
          sql`SELECT e.id FROM entities e WHERE e.tenant_id IN ${tenants}
              UNION ALL SELECT c.id FROM credentials c JOIN entities e ON e.id = c.entity_id
                WHERE e.tenant_id IN ${tenants}
              UNION ALL SELECT r.id FROM resources r WHERE r.tenant_id IN ${tenants}
              UNION ALL SELECT g.id FROM object_groups g WHERE g.tenant_id IN ${tenants}
              UNION ALL SELECT g.id FROM principal_groups g WHERE g.tenant_id IN ${tenants}
              UNION ALL SELECT r.id FROM roles r WHERE r.tenant_id IN ${tenants}`,
        )
      },

      /** Hard-deletes rows (their own cascades follow); answers how many went. */
      remove: (table: PurgeTable, rowIds: ReadonlyArray<string>) =>
        rowIds.length === 0
          ? Effect.succeed(0)
          : ids(sql`DELETE FROM ${sql.unsafe(table)} WHERE id IN ${uuidSet(sql, rowIds)} RETURNING id`).pipe(
              Effect.map((removed) => removed.length),
            ),

      /**
       * Authorization rows naming removed ids, which no foreign key reaches: blocks targeting them (their
       * policies and role links cascade) and grants held by them as subjects.
       */
      removeReferencesTo: (removedIds: ReadonlyArray<string>) =>
        removedIds.length === 0
          ? Effect.void
          : Effect.gen(function* () {
              const removed = uuidSet(sql, removedIds)
              yield* execute(sql`DELETE FROM permission_blocks WHERE object_id IN ${removed}`)
              yield* execute(sql`DELETE FROM direct_policies WHERE subject_id IN ${removed}`)
              yield* execute(sql`DELETE FROM role_assignments WHERE subject_id IN ${removed}`)
            }),
    }
  }),
}) {}
