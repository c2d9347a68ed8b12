import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { SessionRow } from "./rows.js"

/** Server-side sessions behind JWTs: logout and revocation end them at once. */
export class Sessions extends Effect.Service<Sessions>()("atom/Sessions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(SessionRow)
    return {
      create: (row: { id: string; entityId: string; expiresAt: Date }) =>
        execute(sql`INSERT INTO sessions (id, entity_id, expires_at) VALUES (${row.id}, ${row.entityId}, ${row.expiresAt})`),
      byId: (id: string) =>
        rows(sql`SELECT id, entity_id, expires_at, revoked_at, created_at FROM sessions WHERE id = ${id}`).pipe(
          Effect.map((r) => r[0]),
        ),
      revoke: (id: string) =>
        execute(sql`UPDATE sessions SET revoked_at = now(), updated_at = now() WHERE id = ${id} AND revoked_at IS NULL`),
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
