import { Credential, type CredentialKind } from "@atom/domain/credentials"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { ActiveEntityRow, OwnerRow, RevokedRow } from "./rows.js"

const COLUMNS = "id, entity_id, kind, identifier, status, expires_at, created_at"

export interface ExpiringQuery {
  readonly days: number
  readonly entityId: string | null
  readonly kind: CredentialKind | null
  readonly limit: number
  readonly offset: number
}

/** Credential rows of any kind: listings, the owner lock of every credential write, revocation. */
export class Credentials extends Effect.Service<Credentials>()("atom/Credentials", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const credentials = decodeRows(Credential)
    return {
      /** Every credential of an entity, newest first (no secrets). */
      ofEntity: (entityId: string) =>
        credentials(
          sql`SELECT ${sql.unsafe(COLUMNS)} FROM credentials WHERE entity_id = ${entityId}
              ORDER BY created_at DESC, id`,
        ),

      /** Active credentials expiring within `days` (already expired included), soonest first. */
      expiring: (q: ExpiringQuery) =>
        credentials(
          sql`SELECT ${sql.unsafe(COLUMNS)} FROM credentials
              WHERE status = 'active' AND expires_at IS NOT NULL
                AND expires_at <= now() + make_interval(days => ${q.days})
                AND (${q.entityId}::uuid IS NULL OR entity_id = ${q.entityId}::uuid)
                AND (${q.kind}::text IS NULL OR kind = ${q.kind}::text)
              ORDER BY expires_at, id LIMIT ${q.limit} OFFSET ${q.offset}`,
        ),

      /** Locks an active, live entity for the rest of the transaction; undefined when there is none. */
      lockActiveEntity: (entityId: string) =>
        decodeRows(ActiveEntityRow)(
          sql`SELECT id, kind, tenant_id FROM entities
              WHERE id = ${entityId} AND status = 'active' AND deleted_at IS NULL FOR UPDATE`,
        ).pipe(Effect.map((r) => r[0])),

      /** The owner (and its tenant) of a credential of that entity; undefined when there is none. */
      ownerOf: (credentialId: string, entityId: string) =>
        decodeRows(OwnerRow)(
          sql`SELECT c.entity_id, e.tenant_id FROM credentials c JOIN entities e ON e.id = c.entity_id
              WHERE c.id = ${credentialId} AND c.entity_id = ${entityId}`,
        ).pipe(Effect.map((r) => r[0])),

      /**
       * Revokes one credential of an entity by hand (reason `manual`, which also keeps a tenant
       * restore from reviving it); the kind of the revoked row, undefined when there is none.
       */
      revoke: (credentialId: string, entityId: string) =>
        decodeRows(RevokedRow)(
          sql`UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = 'manual',
                updated_at = now()
              WHERE id = ${credentialId} AND entity_id = ${entityId}
              RETURNING kind`,
        ).pipe(Effect.map((r) => r[0]?.kind)),
    }
  }),
}) {}
