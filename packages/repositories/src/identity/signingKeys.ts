import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { SigningKeyRow } from "./rows.js"

export interface NewSigningKey {
  readonly kid: string
  readonly publicKeyPem: string
  readonly publicJwk: Readonly<Record<string, unknown>>
  readonly sealed: { readonly ciphertext: Uint8Array; readonly nonce: Uint8Array; readonly keyId: string } | null
  readonly plaintextPem: string | null
}

const COLUMNS = `kid, status, public_key_pem, public_jwk, private_key_pem, private_key_ciphertext,
  private_key_nonce, private_key_key_id, created_at`

/** JWT signing keys: at most one primary and one standby; the private key sealed under the KEK. */
export class SigningKeys extends Effect.Service<SigningKeys>()("atom/SigningKeys", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(SigningKeyRow)
    const insertPrimary = (key: NewSigningKey) =>
      execute(
        sql`INSERT INTO signing_keys (kid, status, public_key_pem, public_jwk, private_key_pem,
              private_key_ciphertext, private_key_nonce, private_key_key_id, private_key_encryption_alg)
            VALUES (${key.kid}, 'primary', ${key.publicKeyPem}, ${JSON.stringify(key.publicJwk)}::jsonb,
              ${key.plaintextPem}, ${key.sealed?.ciphertext ?? null}, ${key.sealed?.nonce ?? null},
              ${key.sealed?.keyId ?? null}, ${key.sealed ? "AES-256-GCM" : null})`,
      )
    return {
      /** Primary first, then standby. */
      active: rows(
        sql`SELECT ${sql.unsafe(COLUMNS)} FROM signing_keys WHERE status IN ('primary', 'standby')
            ORDER BY (status = 'primary') DESC, created_at DESC`,
      ),
      all: rows(sql`SELECT ${sql.unsafe(COLUMNS)} FROM signing_keys ORDER BY created_at DESC`),
      insertPrimary,
      /** standby → retired, primary → standby, new primary: run inside one transaction. */
      rotate: (key: NewSigningKey) =>
        Effect.all([
          execute(
            sql`UPDATE signing_keys SET status = 'retired', retired_at = now(), updated_at = now() WHERE status = 'standby'`,
          ),
          execute(sql`UPDATE signing_keys SET status = 'standby', updated_at = now() WHERE status = 'primary'`),
          insertPrimary(key),
        ]).pipe(Effect.asVoid),
      /** Serialises key bootstrap and rotation across replicas for the rest of the transaction. */
      lock: execute(sql`SELECT pg_advisory_xact_lock(7306853925041202)`),
    }
  }),
}) {}
