import type { CredentialStatus } from "@atom/domain/credentials"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { AccessTokenAuthRow, AccessTokenListRow, AccessTokenStateRow, CountRow } from "./rows.js"

export interface NewAccessToken {
  readonly id: string
  readonly entityId: string
  readonly identifier: string
  /** argon2 PHC, when minted without a KEK */
  readonly secretHash: string | null
  /** HMAC-SHA256 under the KEK, when one is configured */
  readonly secretLookupHash: Uint8Array | null
  readonly scoped: boolean
  readonly expiresAt: Date | null
  readonly name: string
  readonly description: string | null
}

export interface AccessTokenListQuery {
  readonly entityId: string
  readonly status: CredentialStatus | null
  readonly limit: number
  readonly offset: number
}

/** The ceiling entries of a token as AccessTokenPermission JSON, in entry order, actions sorted. */
const PERMISSIONS_JSON = `(SELECT COALESCE(json_agg(json_build_object(
    'actions', (SELECT COALESCE(json_agg(a.name ORDER BY a.name COLLATE "C"), '[]'::json)
                FROM credential_permission_limit_actions la JOIN actions a ON a.id = la.action_id
                WHERE la.limit_id = l.id),
    'scopeMode', l.scope_mode, 'tenantId', l.tenant_id, 'objectKind', l.object_kind,
    'objectType', l.object_type, 'objectId', l.object_id, 'conditions', l.conditions
  ) ORDER BY l.ordinal), '[]'::json)
  FROM credential_permission_limits l WHERE l.credential_id = c.id)::text`

/** Access tokens (`kind = access_token`): minting, listing, lifecycle and Bearer verification. */
export class AccessTokens extends Effect.Service<AccessTokens>()("atom/AccessTokens", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const statusFilter = (status: CredentialStatus | null) => (status === null ? sql`TRUE` : sql`c.status = ${status}`)
    return {
      insert: (t: NewAccessToken) =>
        execute(
          sql`INSERT INTO credentials (id, entity_id, kind, identifier, secret_hash, secret_lookup_hash, scoped,
                expires_at, metadata)
              VALUES (${t.id}, ${t.entityId}, 'access_token', ${t.identifier}, ${t.secretHash}, ${t.secretLookupHash},
                ${t.scoped}, ${t.expiresAt}, ${JSON.stringify({ name: t.name, description: t.description })}::jsonb)`,
        ),

      /** The token row by its embedded id, with its live owner and non-deleted tenant: one indexed read. */
      forAuthentication: (credentialId: string) =>
        decodeRows(AccessTokenAuthRow)(
          sql`SELECT c.id AS credential_id, c.entity_id, c.secret_hash, c.secret_lookup_hash, c.status,
                     c.expires_at, c.last_used_at, c.scoped,
                     e.tenant_id, e.status AS entity_status, t.status AS tenant_status
              FROM credentials c
              JOIN entities e ON e.id = c.entity_id
              LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE c.id = ${credentialId} AND c.kind = 'access_token'
                AND e.deleted_at IS NULL AND (t.id IS NULL OR t.deleted_at IS NULL)`,
        ).pipe(Effect.map((r) => r[0])),

      /** The usage stamp, written at most once per five minutes per token. */
      stampUsed: (credentialId: string) =>
        execute(
          sql`UPDATE credentials SET last_used_at = now()
              WHERE id = ${credentialId}
                AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes')`,
        ),

      /** Replaces an argon2 verifier by the keyed digest, once a KEK is available. */
      upgradeVerifier: (credentialId: string, lookupHash: Uint8Array) =>
        execute(
          sql`UPDATE credentials SET secret_lookup_hash = ${lookupHash}, secret_hash = NULL, updated_at = now()
              WHERE id = ${credentialId} AND kind = 'access_token' AND secret_lookup_hash IS NULL`,
        ),

      /** Owner and state of an access token; undefined when the id is not an access token. */
      state: (credentialId: string) =>
        decodeRows(AccessTokenStateRow)(
          sql`SELECT entity_id, status, scoped FROM credentials
              WHERE id = ${credentialId} AND kind = 'access_token'`,
        ).pipe(Effect.map((r) => r[0])),

      /** Locks the owner's active token for a ceiling replacement; undefined when not active. */
      lockActive: (credentialId: string, entityId: string) =>
        decodeRows(AccessTokenStateRow)(
          sql`SELECT entity_id, status, scoped FROM credentials
              WHERE id = ${credentialId} AND entity_id = ${entityId} AND kind = 'access_token'
                AND status = 'active'
              FOR UPDATE`,
        ).pipe(Effect.map((r) => r[0])),

      /** Revokes an active token (reason `manual`); revoking a revoked token changes nothing. */
      revoke: (credentialId: string, entityId: string) =>
        execute(
          sql`UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = 'manual',
                metadata = metadata - 'revoked_at' - 'revocation_reason'
                  || jsonb_build_object('revoked_at', now(), 'revocation_reason', 'manual'),
                updated_at = now()
              WHERE id = ${credentialId} AND entity_id = ${entityId} AND kind = 'access_token'
                AND status = 'active'`,
        ),

      /** One page of an owner's tokens, newest first, each with its ceiling. */
      list: (q: AccessTokenListQuery) =>
        decodeRows(AccessTokenListRow)(
          sql`SELECT c.id AS credential_id,
                     COALESCE(NULLIF(c.metadata->>'name', ''), c.identifier, 'Access token') AS name,
                     NULLIF(c.metadata->>'description', '') AS description,
                     c.identifier, c.status, c.scoped, ${sql.unsafe(PERMISSIONS_JSON)} AS permissions,
                     c.expires_at, c.last_used_at, c.created_at
              FROM credentials c
              WHERE c.entity_id = ${q.entityId} AND c.kind = 'access_token' AND ${statusFilter(q.status)}
              ORDER BY c.created_at DESC, c.id
              LIMIT ${q.limit} OFFSET ${q.offset}`,
        ),

      count: (q: AccessTokenListQuery) =>
        decodeRows(CountRow)(
          sql`SELECT count(*)::int AS total FROM credentials c
              WHERE c.entity_id = ${q.entityId} AND c.kind = 'access_token' AND ${statusFilter(q.status)}`,
        ).pipe(Effect.map((r) => r[0]?.total ?? 0)),
    }
  }),
}) {}
