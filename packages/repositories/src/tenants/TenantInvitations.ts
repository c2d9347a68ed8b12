import { type Paging, TenantInvitation } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { CountRow } from "./rows.js"

const COLUMNS = `i.id, i.tenant_id, i.invitee_user_id, e.name AS invitee_name, i.invitee_email, i.invited_by,
  i.role_id, r.name AS role_name, i.expires_at, i.accepted_at, i.rejected_at, i.revoked_at, i.created_at, i.updated_at`

const FROM = `tenant_invitations i
  LEFT JOIN entities e ON e.id = i.invitee_user_id
  LEFT JOIN roles r ON r.id = i.role_id`

/** An invitation with the verifier of its token, for token acceptance only. */
export const InvitationSecretRow = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.String,
  secretHash: Schema.NullOr(Schema.String),
})

export interface InvitationWrite {
  readonly tenantId: string
  readonly inviteeUserId: string | null
  readonly inviteeEmail: string | null
  readonly invitedBy: string
  readonly roleId: string | null
  readonly secretHash: string
  readonly expiresAt: Date
}

/** Tenant invitations: one per (tenant, user) and per (tenant, email); only a hash of the token is kept. */
export class TenantInvitations extends Effect.Service<TenantInvitations>()("atom/TenantInvitations", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(TenantInvitation)
    const columns = sql.unsafe(COLUMNS)
    const from = sql.unsafe(FROM)
    const count = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
      decodeRows(CountRow)(statement).pipe(Effect.map((r) => r[0]?.total ?? 0))
    const ids = decodeRows(Schema.Struct({ id: Schema.String }))
    // an invitation is the caller's when it names them or one of their live addresses
    const addressedTo = (entityId: string) =>
      sql`(i.invitee_user_id = ${entityId}
           OR lower(i.invitee_email) IN (
             SELECT m.email FROM entity_emails m WHERE m.entity_id = ${entityId} AND m.deleted_at IS NULL
             UNION ALL
             SELECT lower(btrim(x.attributes->>'email')) FROM entities x
             WHERE x.id = ${entityId} AND x.attributes->>'email' IS NOT NULL))`

    return {
      byId: (id: string) => rows(sql`SELECT ${columns} FROM ${from} WHERE i.id = ${id}`).pipe(Effect.map((r) => r[0])),

      secretOf: (id: string) =>
        decodeRows(InvitationSecretRow)(
          sql`SELECT id, tenant_id, secret_hash FROM tenant_invitations WHERE id = ${id}`,
        ).pipe(Effect.map((r) => r[0])),

      /** The existing invitation of this tenant for the user or the address, locked for the reset. */
      existingFor: (tenantId: string, inviteeUserId: string | null, inviteeEmail: string | null) =>
        ids(
          sql`SELECT id FROM tenant_invitations
              WHERE tenant_id = ${tenantId}
                AND (invitee_user_id = ${inviteeUserId}::uuid OR lower(invitee_email) = ${inviteeEmail}::text)
              ORDER BY created_at LIMIT 1 FOR UPDATE`,
        ).pipe(Effect.map((r) => r[0]?.id)),

      insert: (id: string, w: InvitationWrite) =>
        ids(
          sql`INSERT INTO tenant_invitations
                (id, tenant_id, invitee_user_id, invitee_email, invited_by, role_id, secret_hash, expires_at)
              VALUES (${id}, ${w.tenantId}, ${w.inviteeUserId}, ${w.inviteeEmail}, ${w.invitedBy}, ${w.roleId},
                      ${w.secretHash}, ${w.expiresAt})
              RETURNING id`,
        ),

      /** Starts the invitation over: new secret and expiry, no outcome. */
      reset: (id: string, w: InvitationWrite) =>
        ids(
          sql`UPDATE tenant_invitations SET
                invitee_user_id = COALESCE(${w.inviteeUserId}::uuid, invitee_user_id),
                invitee_email = COALESCE(${w.inviteeEmail}::text, invitee_email),
                invited_by = ${w.invitedBy}, role_id = ${w.roleId}, secret_hash = ${w.secretHash},
                expires_at = ${w.expiresAt}, accepted_by = NULL, accepted_at = NULL, rejected_at = NULL,
                revoked_at = NULL, updated_at = now()
              WHERE id = ${id}
              RETURNING id`,
        ),

      /** The newest invitation of the tenant addressed to the entity. */
      newestFor: (tenantId: string, entityId: string) =>
        rows(
          sql`SELECT ${columns} FROM ${from} WHERE i.tenant_id = ${tenantId} AND ${addressedTo(entityId)}
              ORDER BY i.updated_at DESC, i.created_at DESC LIMIT 1`,
        ).pipe(Effect.map((r) => r[0])),

      isAddressedTo: (id: string, entityId: string) =>
        count(
          sql`SELECT count(*)::int AS total FROM tenant_invitations i WHERE i.id = ${id} AND ${addressedTo(entityId)}`,
        ).pipe(Effect.map((n) => n > 0)),

      /** Ends a pending invitation one way; false when it is no longer pending. */
      markAccepted: (id: string, acceptedBy: string) =>
        ids(
          sql`UPDATE tenant_invitations SET accepted_at = now(), accepted_by = ${acceptedBy}, updated_at = now()
              WHERE id = ${id} AND accepted_at IS NULL AND rejected_at IS NULL AND revoked_at IS NULL
                AND expires_at > now()
              RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      markRejected: (id: string) =>
        ids(
          sql`UPDATE tenant_invitations SET rejected_at = now(), updated_at = now()
              WHERE id = ${id} AND accepted_at IS NULL AND rejected_at IS NULL AND revoked_at IS NULL
                AND expires_at > now()
              RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      markRevoked: (id: string) =>
        ids(
          sql`UPDATE tenant_invitations SET revoked_at = now(), updated_at = now()
              WHERE id = ${id} AND accepted_at IS NULL AND rejected_at IS NULL AND revoked_at IS NULL
                AND expires_at > now()
              RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),

      ofTenant: (tenantId: string, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM ${from} WHERE i.tenant_id = ${tenantId}
              ORDER BY i.created_at DESC, i.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      countOfTenant: (tenantId: string) =>
        count(sql`SELECT count(*)::int AS total FROM tenant_invitations i WHERE i.tenant_id = ${tenantId}`),

      addressedTo: (entityId: string, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM ${from} WHERE ${addressedTo(entityId)}
              ORDER BY i.created_at DESC, i.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      countAddressedTo: (entityId: string) =>
        count(sql`SELECT count(*)::int AS total FROM tenant_invitations i WHERE ${addressedTo(entityId)}`),

      /** The live entity that owns a login address, if any. */
      ownerOfEmail: (email: string) =>
        ids(
          sql`SELECT e.id FROM entity_emails m JOIN entities e ON e.id = m.entity_id
              WHERE m.email = ${email} AND m.deleted_at IS NULL AND e.deleted_at IS NULL LIMIT 1`,
        ).pipe(Effect.map((r) => r[0]?.id)),

      /** An entity's first live address, where its invitation mail goes. */
      emailOf: (entityId: string) =>
        decodeRows(Schema.Struct({ email: Schema.String }))(
          sql`SELECT email FROM entity_emails WHERE entity_id = ${entityId} AND deleted_at IS NULL
              ORDER BY created_at LIMIT 1`,
        ).pipe(Effect.map((r) => r[0]?.email)),
    }
  }),
}) {}
