import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { announceLocalChange } from "../db/localChanges.js"
import { type DbFailure, fromSqlError } from "../db/sqlErrors.js"

/**
 * Revokes the active certificates of one entity with `reason` and, when there were any, marks
 * every CRL dirty and announces the change locally — inside the caller's transaction (entity delete/disable: `entity_deleted`, …).
 * Answers how many were revoked.
 */
export const revokeEntityCertificatesInTx = (
  entityId: string,
  reason: string,
): Effect.Effect<number, DbFailure, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const revoked = yield* sql<{ readonly id: string }>`
      UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = ${reason}, updated_at = now()
      WHERE entity_id = ${entityId} AND kind = 'certificate' AND status = 'active'
      RETURNING id`
    if (revoked.length > 0) {
      yield* sql`UPDATE crl_state SET dirty = true, updated_at = now() WHERE NOT dirty`
      // OCSP answers of this replica are dropped when the transaction ends (others hear NOTIFY)
      yield* announceLocalChange
    }
    return revoked.length
  }).pipe(Effect.mapError(fromSqlError))

/** The same for every entity of one tenant (tenant delete: `tenant_deleted`). */
export const revokeTenantCertificatesInTx = (
  tenantId: string,
  reason: string,
): Effect.Effect<number, DbFailure, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const revoked = yield* sql<{ readonly id: string }>`
      UPDATE credentials c SET status = 'revoked', revoked_at = now(), revocation_reason = ${reason},
        updated_at = now()
      FROM entities e
      WHERE e.id = c.entity_id AND e.tenant_id = ${tenantId} AND c.kind = 'certificate' AND c.status = 'active'
      RETURNING c.id`
    if (revoked.length > 0) {
      yield* sql`UPDATE crl_state SET dirty = true, updated_at = now() WHERE NOT dirty`
      // OCSP answers of this replica are dropped when the transaction ends (others hear NOTIFY)
      yield* announceLocalChange
    }
    return revoked.length
  }).pipe(Effect.mapError(fromSqlError))
