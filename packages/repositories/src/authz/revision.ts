import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { announceLocalChange } from "../db/localChanges.js"
import { type DbFailure, fromSqlError } from "../db/sqlErrors.js"

/**
 * Marks that decisions may have changed. Call it inside the same transaction as every write that
 * can change a decision (grants, groups, statuses, tenants…): caches compare revisions, the row's
 * trigger NOTIFYs other replicas on commit, and this replica's caches hear of it when the transaction
 * ends (before the writer answers).
 */
export const bumpAuthzRevision: Effect.Effect<void, DbFailure, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`UPDATE authz_revision SET revision = revision + 1, updated_at = now()`,
).pipe(Effect.mapError(fromSqlError), Effect.zipRight(announceLocalChange))

export const currentAuthzRevision: Effect.Effect<bigint, DbFailure, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ readonly revision: string }>`SELECT revision::text AS revision FROM authz_revision`,
).pipe(
  Effect.map((rows) => BigInt(rows[0]?.revision ?? "0")),
  Effect.mapError(fromSqlError),
)
