import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { SharedKeyRevealRow, VerifierRow } from "./rows.js"

export interface NewSharedKey {
  readonly id: string
  readonly entityId: string
  readonly secretHash: string
  readonly secretLookupHash: Uint8Array
  readonly sealed: {
    readonly ciphertext: Uint8Array
    readonly nonce: Uint8Array
    readonly keyId: string
    readonly algorithm: string
  }
  readonly expiresAt: Date | null
  readonly description: string | null
}

/** Keys a login may check: active, unexpired shared keys of a non-human entity. */
const LOGIN_CANDIDATES = `SELECT c.id, c.secret_hash FROM credentials c JOIN entities e ON e.id = c.entity_id
  WHERE c.kind = 'shared_key' AND c.status = 'active' AND c.secret_hash IS NOT NULL
    AND e.kind <> 'human' AND (c.expires_at IS NULL OR c.expires_at > now())`

/** Shared keys (identity-certs §2.6): argon2 + keyed digest + a copy sealed under the KEK. */
export class SharedKeys extends Effect.Service<SharedKeys>()("atom/SharedKeys", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const candidates = decodeRows(VerifierRow)
    const base = sql.unsafe(LOGIN_CANDIDATES)
    return {
      insert: (k: NewSharedKey) =>
        execute(
          sql`INSERT INTO credentials (id, entity_id, kind, secret_hash, secret_lookup_hash, secret_ciphertext,
                secret_nonce, secret_key_id, secret_enc_alg, expires_at, metadata)
              VALUES (${k.id}, ${k.entityId}, 'shared_key', ${k.secretHash}, ${k.secretLookupHash},
                ${k.sealed.ciphertext}, ${k.sealed.nonce}, ${k.sealed.keyId}, ${k.sealed.algorithm},
                ${k.expiresAt}, ${JSON.stringify({ description: k.description })}::jsonb)`,
        ),

      /** A non-human entity's shared key with its sealed copy, owner and tenant state. */
      forReveal: (credentialId: string, entityId: string) =>
        decodeRows(SharedKeyRevealRow)(
          sql`SELECT c.status, c.expires_at, c.secret_hash, c.secret_ciphertext, c.secret_nonce, c.secret_key_id,
                     c.secret_enc_alg, e.status AS entity_status, t.status AS tenant_status
              FROM credentials c
              JOIN entities e ON e.id = c.entity_id
              LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE c.id = ${credentialId} AND c.entity_id = ${entityId} AND c.kind = 'shared_key'
                AND e.kind <> 'human' AND e.deleted_at IS NULL AND (t.id IS NULL OR t.deleted_at IS NULL)`,
        ).pipe(Effect.map((r) => r[0])),

      /** Login fast path: the key whose id a generated key embeds. */
      loginById: (entityId: string, credentialId: string) =>
        candidates(sql`${base} AND c.entity_id = ${entityId} AND c.id = ${credentialId}`),

      /** Keys whose keyed digest matches, newest first. */
      loginByLookupHash: (entityId: string, lookupHash: Uint8Array) =>
        candidates(
          sql`${base} AND c.entity_id = ${entityId} AND c.secret_lookup_hash = ${lookupHash}
              ORDER BY c.created_at DESC`,
        ),

      /** Rows written before digests existed, newest first. */
      loginLegacy: (entityId: string) =>
        candidates(
          sql`${base} AND c.entity_id = ${entityId} AND c.secret_lookup_hash IS NULL ORDER BY c.created_at DESC`,
        ),
    }
  }),
}) {}
