import { TenantRoleAssignment } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"

const Row = Schema.Struct({
  roleId: TenantRoleAssignment.fields.roleId,
  roleName: Schema.String,
  actions: Schema.parseJson(Schema.Array(Schema.String)),
  assignmentPaths: Schema.parseJson(Schema.Array(Schema.String)),
})

/** The roles an entity holds in a tenant, directly or through (nested) principal groups. */
export class TenantRoles extends Effect.Service<TenantRoles>()("atom/TenantRoles", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      heldBy: (entityId: string, tenantId: string) =>
        decodeRows(Row)(
          sql`WITH RECURSIVE chains AS (
                SELECT g.id, g.name::text AS path, ARRAY[g.id] AS seen
                FROM principal_group_members m JOIN principal_groups g ON g.id = m.group_id
                WHERE m.entity_id = ${entityId} AND g.deleted_at IS NULL AND g.status = 'active'
                UNION ALL
                SELECT p.id, p.name || ' -> ' || c.path, c.seen || p.id
                FROM chains c
                JOIN principal_group_hierarchy h ON h.child_id = c.id
                JOIN principal_groups p ON p.id = h.parent_id
                WHERE p.deleted_at IS NULL AND p.status = 'active' AND NOT p.id = ANY (c.seen)
              ),
              holders AS (
                SELECT 'entity'::text AS kind, ${entityId}::uuid AS id, 'direct'::text AS path
                UNION ALL
                SELECT 'group', c.id, 'group:' || c.path FROM chains c
              )
              SELECT r.id AS role_id, r.name AS role_name,
                (SELECT COALESCE(json_agg(DISTINCT a.name ORDER BY a.name), '[]'::json)
                 FROM role_permission_blocks rpb
                 JOIN permission_block_actions pba ON pba.permission_block_id = rpb.permission_block_id
                 JOIN actions a ON a.id = pba.action_id
                 WHERE rpb.role_id = r.id)::text AS actions,
                json_agg(DISTINCT h.path ORDER BY h.path)::text AS assignment_paths
              FROM holders h
              JOIN role_assignments ra ON ra.subject_kind = h.kind AND ra.subject_id = h.id
              JOIN roles r ON r.id = ra.role_id AND r.deleted_at IS NULL
              WHERE ra.tenant_id = ${tenantId}
              GROUP BY r.id, r.name
              ORDER BY r.name, r.id`,
        ),
    }
  }),
}) {}
