import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { announceLocalChange } from "../db/localChanges.js"
import { CountRow } from "./rows.js"

export const TENANT_DELETED = "tenant_deleted"

/** What a tenant's soft delete and restore do to the credentials and sessions of its own entities. */
export class TenantCredentials extends Effect.Service<TenantCredentials>()("atom/TenantCredentials", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** Revokes every active credential of the tenant's entities, tagged (announced locally); answers how many were certificates. */
      revokeForTenantDelete: (tenantId: string) =>
        decodeRows(CountRow)(
          sql`WITH revoked AS (
                UPDATE credentials c SET status = 'revoked', revoked_at = now(),
                  revocation_reason = ${TENANT_DELETED}, updated_at = now()
                FROM entities e
                WHERE e.id = c.entity_id AND e.tenant_id = ${tenantId} AND c.status = 'active'
                RETURNING c.kind)
              SELECT count(*) FILTER (WHERE kind = 'certificate')::int AS total FROM revoked`,
        ).pipe(
          Effect.map((r) => r[0]?.total ?? 0),
          Effect.zipLeft(Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql)),
        ),

      /** A revoked certificate must appear in the next CRL. */
      markCrlDirty: execute(sql`UPDATE crl_state SET dirty = true, updated_at = now() WHERE NOT dirty`),

      revokeSessionsOfTenant: (tenantId: string) =>
        execute(
          sql`UPDATE sessions s SET revoked_at = now(), updated_at = now()
              FROM entities e
              WHERE e.id = s.entity_id AND e.tenant_id = ${tenantId} AND s.revoked_at IS NULL`,
        ),

      /** Reactivates only non-certificate credentials still tagged by the delete, of live entities. */
      restoreAfterTenantRestore: (tenantId: string) =>
        execute(
          sql`UPDATE credentials c SET status = 'active', revoked_at = NULL, revocation_reason = NULL, updated_at = now()
              FROM entities e
              WHERE e.id = c.entity_id AND e.tenant_id = ${tenantId} AND e.deleted_at IS NULL
                AND c.status = 'revoked' AND c.revocation_reason = ${TENANT_DELETED} AND c.kind <> 'certificate'`,
        ),
    }
  }),
}) {}
