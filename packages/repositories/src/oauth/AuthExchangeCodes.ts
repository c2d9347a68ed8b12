import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { EntityIdRow, ExchangeCodeRow } from "./rows.js"

/** One-time codes (`auth_exchange_codes`) the UI trades for a session after an OAuth callback. */
export class AuthExchangeCodes extends Effect.Service<AuthExchangeCodes>()("atom/AuthExchangeCodes", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      insert: (c: { id: string; entityId: string; secretHash: string; expiresAt: Date }) =>
        execute(
          sql`INSERT INTO auth_exchange_codes (id, entity_id, secret_hash, expires_at)
              VALUES (${c.id}, ${c.entityId}, ${c.secretHash}, ${c.expiresAt})`,
        ),
      byId: (id: string) =>
        decodeRows(ExchangeCodeRow)(
          sql`SELECT id, entity_id, secret_hash, expires_at, consumed_at FROM auth_exchange_codes WHERE id = ${id}`,
        ).pipe(Effect.map((r) => r[0])),
      /** Drops codes that expired before `before`. */
      prune: (before: Date) => execute(sql`DELETE FROM auth_exchange_codes WHERE expires_at < ${before}`),
      /** Marks the code used and answers its entity; undefined when used already or expired. */
      consume: (id: string) =>
        decodeRows(EntityIdRow)(
          sql`UPDATE auth_exchange_codes SET consumed_at = now()
              WHERE id = ${id} AND consumed_at IS NULL AND expires_at > now()
              RETURNING entity_id`,
        ).pipe(Effect.map((r) => r[0]?.entityId)),
    }
  }),
}) {}
