import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { IdRow, OAuthStateRow } from "./rows.js"

export interface NewOAuthState {
  readonly id: string
  readonly provider: string
  readonly secretHash: string
  readonly pkceVerifier: string
  readonly nonce: string
  readonly returnTo: string | null
  readonly expiresAt: Date
}

/** Authorization-code flows in flight (`oauth_states`): written by start, consumed once by the callback. */
export class OAuthStates extends Effect.Service<OAuthStates>()("atom/OAuthStates", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(OAuthStateRow)
    return {
      insert: (s: NewOAuthState) =>
        execute(
          sql`INSERT INTO oauth_states (id, provider, secret_hash, pkce_verifier, nonce, return_to, expires_at)
              VALUES (${s.id}, ${s.provider}, ${s.secretHash}, ${s.pkceVerifier}, ${s.nonce}, ${s.returnTo}, ${s.expiresAt})`,
        ),
      byId: (id: string, provider: string) =>
        rows(
          sql`SELECT id, provider, secret_hash, pkce_verifier, nonce, return_to, expires_at, consumed_at
              FROM oauth_states WHERE id = ${id} AND provider = ${provider}`,
        ).pipe(Effect.map((r) => r[0])),
      /** Marks the state used; false when it was already used or has expired (single use, atomic). */
      consume: (id: string) =>
        decodeRows(IdRow)(
          sql`UPDATE oauth_states SET consumed_at = now()
              WHERE id = ${id} AND consumed_at IS NULL AND expires_at > now()
              RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      /** Drops states that expired before `before` (consumed or not: either way they are spent). */
      prune: (before: Date) => execute(sql`DELETE FROM oauth_states WHERE expires_at < ${before}`),
    }
  }),
}) {}
