import { RoleHolder, RoleId, TenantId } from "@atom/domain/authz"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { decodeOneRow, JsonArrayColumn } from "./jsonRow.js"

/** A live role as the inspection queries show it. */
export const RoleSummary = Schema.Struct({ id: RoleId, name: Schema.String, tenantId: Schema.NullOr(TenantId) })
export type RoleSummary = typeof RoleSummary.Type

export { RoleHolder } from "@atom/domain/authz"

export interface RoleHolders {
  /** null when the role is missing or tombstoned */
  readonly role: RoleSummary | null
  readonly items: ReadonlyArray<RoleHolder>
  readonly total: number
}

const Row = Schema.Struct({
  role: Schema.NullOr(Schema.parseJson(RoleSummary)),
  items: JsonArrayColumn(RoleHolder),
  total: Schema.NumberFromString,
})

/** A role and one page of its holders (never direct policies), oldest assignment first: one round trip. */
export const listRoleHolders = (
  roleId: string,
  page: { readonly limit: number; readonly offset: number },
): Effect.Effect<RoleHolders, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`
      WITH holders AS (
        SELECT ra.id, ra.tenant_id, ra.subject_kind, ra.subject_id, ra.created_at,
               COALESCE(e.name, g.name) AS subject_name,
               CASE WHEN g.id IS NULL THEN NULL
                    ELSE (SELECT count(*) FROM principal_group_members m WHERE m.group_id = g.id)::int END AS member_count
        FROM role_assignments ra
        LEFT JOIN entities e ON ra.subject_kind = 'entity' AND e.id = ra.subject_id AND e.deleted_at IS NULL
        LEFT JOIN principal_groups g ON ra.subject_kind = 'group' AND g.id = ra.subject_id AND g.deleted_at IS NULL
        WHERE ra.role_id = ${roleId}::uuid AND (e.id IS NOT NULL OR g.id IS NOT NULL)
      ),
      page AS (
        SELECT * FROM holders ORDER BY created_at, id LIMIT ${page.limit} OFFSET ${page.offset}
      )
      SELECT
        (SELECT json_build_object('id', r.id, 'name', r.name, 'tenantId', r.tenant_id)
         FROM roles r WHERE r.id = ${roleId}::uuid AND r.deleted_at IS NULL)::text AS role,
        (SELECT COALESCE(json_agg(json_build_object(
            'assignmentId', p.id, 'tenantId', p.tenant_id, 'subjectKind', p.subject_kind, 'subjectId', p.subject_id,
            'subjectName', p.subject_name, 'memberCount', p.member_count
          ) ORDER BY p.created_at, p.id), '[]'::json) FROM page p)::text AS items,
        (SELECT count(*) FROM holders)::text AS total
    `.pipe(
      decodeOneRow(Row),
      Effect.map((row): RoleHolders => ({ role: row.role, items: row.items, total: row.total })),
    ),
  ).pipe(Effect.withSpan("AuthzRepository.listRoleHolders"))
