import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { SessionRow, SessionSubjectRow } from "./rows.js"

/** Server-side sessions behind JWTs: logout and revocation end them at once. */
export class Sessions extends Effect.Service<Sessions>()("atom/Sessions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(SessionRow)
    return {
      create: (row: { id: string; entityId: string; expiresAt: Date }) =>
        execute(
          sql`INSERT INTO sessions (id, entity_id, expires_at) VALUES (${row.id}, ${row.entityId}, ${row.expiresAt})`,
        ),
      byId: (id: string) =>
        rows(sql`SELECT id, entity_id, expires_at, revoked_at, created_at FROM sessions WHERE id = ${id}`).pipe(
          Effect.map((r) => r[0]),
        ),
      /** The session, its entity and tenant in one round trip (token verification). */
      withSubject: (id: string) =>
        decodeRows(SessionSubjectRow)(
          sql`SELECT s.id AS session_id, s.expires_at, (s.revoked_at IS NOT NULL) AS revoked,
                     e.id AS entity_id, e.status AS entity_status, (e.deleted_at IS NOT NULL) AS entity_deleted,
                     e.tenant_id, t.status AS tenant_status, (t.deleted_at IS NOT NULL) AS tenant_deleted
              FROM sessions s JOIN entities e ON e.id = s.entity_id LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE s.id = ${id}`,
        ).pipe(Effect.map((r) => r[0])),
      revoke: (id: string) =>
        execute(
          sql`UPDATE sessions SET revoked_at = now(), updated_at = now() WHERE id = ${id} AND revoked_at IS NULL`,
        ),
      /** Extends a live session; false when it is revoked or expired. */
      extend: (id: string, expiresAt: Date) =>
        rows(
          sql`UPDATE sessions SET expires_at = ${expiresAt}, updated_at = now()
              WHERE id = ${id} AND revoked_at IS NULL AND expires_at > now()
              RETURNING id, entity_id, expires_at, revoked_at, created_at`,
        ).pipe(Effect.map((r) => r.length > 0)),
      revokeAllOf: (entityId: string) =>
        execute(
          sql`UPDATE sessions SET revoked_at = now(), updated_at = now() WHERE entity_id = ${entityId} AND revoked_at IS NULL`,
        ),
    }
  }),
}) {}
