import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { AuthEntityRow, EmailRow } from "./rows.js"

const SELECT_ENTITY = `
  SELECT e.id, e.kind, e.name, e.tenant_id, e.status, (e.deleted_at IS NOT NULL) AS deleted,
         t.status AS tenant_status, (t.deleted_at IS NOT NULL) AS tenant_deleted
  FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id`

/** Entity lookups for authentication: live rows, at most two (enough to tell "ambiguous"). */
export class IdentityEntities extends Effect.Service<IdentityEntities>()("atom/IdentityEntities", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const entities = decodeRows(AuthEntityRow)
    const inTenant = (tenantId: string | null) => (tenantId === null ? sql`TRUE` : sql`e.tenant_id = ${tenantId}`)
    const base = sql.unsafe(SELECT_ENTITY)
    return {
      byId: (id: string) =>
        entities(sql`${base} WHERE e.id = ${id} AND e.deleted_at IS NULL`).pipe(Effect.map((r) => r[0])),
      byEmail: (email: string, tenantId: string | null) =>
        entities(sql`${base} JOIN entity_emails m ON m.entity_id = e.id AND m.deleted_at IS NULL
          WHERE m.email = ${email} AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2`),
      byAttributeEmail: (email: string, tenantId: string | null) =>
        entities(sql`${base} WHERE lower(btrim(e.attributes->>'email')) = ${email}
          AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2`),
      byName: (name: string, tenantId: string | null) =>
        entities(sql`${base} WHERE e.name = ${name} AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2`),
      byAlias: (alias: string, tenantId: string) =>
        entities(sql`${base} WHERE lower(e.alias) = ${alias.toLowerCase()} AND e.tenant_id = ${tenantId}
          AND e.deleted_at IS NULL LIMIT 2`),
      /** Locks a live, active entity whose home tenant (if any) is active; undefined when there is none. */
      lockActive: (id: string) =>
        decodeRows(Schema.Struct({ id: Schema.String, tenantId: Schema.NullOr(Schema.String) }))(
          sql`SELECT e.id, e.tenant_id FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE e.id = ${id} AND e.status = 'active' AND e.deleted_at IS NULL
                AND (e.tenant_id IS NULL OR (t.status = 'active' AND t.deleted_at IS NULL))
              FOR UPDATE OF e`,
        ).pipe(Effect.map((r) => r[0])),
      emails: (entityId: string) =>
        decodeRows(EmailRow)(
          sql`SELECT email, verified_at IS NOT NULL AS verified FROM entity_emails
              WHERE entity_id = ${entityId} AND deleted_at IS NULL ORDER BY created_at`,
        ),
    }
  }),
}) {}
