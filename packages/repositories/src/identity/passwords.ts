import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { PasswordRow } from "./rows.js"

/** Password credentials: the verifier rows login chooses from, and new ones. */
export class Passwords extends Effect.Service<Passwords>()("atom/Passwords", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** Active, unexpired passwords of an entity, newest first. */
      active: (entityId: string) =>
        decodeRows(PasswordRow)(
          sql`SELECT id, identifier, secret_hash FROM credentials
              WHERE entity_id = ${entityId} AND kind = 'password' AND status = 'active'
                AND (expires_at IS NULL OR expires_at > now())
              ORDER BY created_at DESC`,
        ),
      insert: (row: { id: string; entityId: string; identifier: string | null; secretHash: string }) =>
        execute(
          sql`INSERT INTO credentials (id, entity_id, kind, identifier, secret_hash)
              VALUES (${row.id}, ${row.entityId}, 'password', ${row.identifier}, ${row.secretHash})`,
        ),
      updateHash: (id: string, secretHash: string) =>
        execute(sql`UPDATE credentials SET secret_hash = ${secretHash}, updated_at = now() WHERE id = ${id}`),
      touch: (id: string) => execute(sql`UPDATE credentials SET last_used_at = now() WHERE id = ${id}`),
      /** Revokes every active password of an entity (password reset), recording why. */
      revokeAllOf: (entityId: string, reason: string) =>
        execute(
          sql`UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = ${reason},
                updated_at = now()
              WHERE entity_id = ${entityId} AND kind = 'password' AND status = 'active'`,
        ),
    }
  }),
}) {}
