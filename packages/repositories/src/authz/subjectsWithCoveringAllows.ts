import type { ResolvedObject } from "@atom/domain/authz"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { uuidSet } from "../db/uuidSet.js"
import { decodeManyRows } from "./jsonRow.js"

const Row = Schema.Struct({ id: Schema.UUID })

/**
 * Reverse lookup for "who can access this object": live entities holding an allow block that may
 * cover it (by scope and boundary), directly or through a principal group or any of its descendants,
 * plus, for a tenant, its active members (membership `read`). A superset: the engine decides exactly.
 */
export const subjectsWithCoveringAllows = (
  object: ResolvedObject,
): Effect.Effect<ReadonlyArray<string>, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const tenantId = object.tenant?.id ?? null
    const type = `${object.kind}:${object.subKind}`
    const groups = [
      ...(object.kind === "group" && object.id !== null ? [object.id] : []),
      ...(object.parentGroupId === null ? [] : [object.parentGroupId]),
      ...object.ancestorGroupIds,
    ]
    const covers = sql`
      pb.effect = 'allow' AND (
        pb.scope_mode = 'platform'
        OR (pb.scope_mode = 'tenant' AND pb.tenant_id = ${tenantId}::uuid)
        OR (pb.scope_mode = 'object_kind' AND pb.object_kind = ${object.kind}::text)
        OR (pb.scope_mode = 'object_type' AND pb.object_type = ${type}::text)
        OR (pb.scope_mode = 'object' AND pb.object_id = ${object.id}::uuid)
        OR pb.group_id IN ${uuidSet(sql, groups)}
      )`
    return sql`
      WITH RECURSIVE
      covering AS (
        SELECT dp.subject_kind, dp.subject_id
        FROM direct_policies dp
        JOIN permission_blocks pb ON pb.id = dp.permission_block_id
        WHERE (dp.tenant_id IS NULL OR dp.tenant_id = ${tenantId}::uuid) AND ${covers}
        UNION
        SELECT ra.subject_kind, ra.subject_id
        FROM role_assignments ra
        JOIN roles r ON r.id = ra.role_id AND r.deleted_at IS NULL
        JOIN role_permission_blocks rpb ON rpb.role_id = r.id
        JOIN permission_blocks pb ON pb.id = rpb.permission_block_id
        WHERE (ra.tenant_id IS NULL OR ra.tenant_id = ${tenantId}::uuid) AND ${covers}
      ),
      member_groups AS (
        SELECT subject_id AS group_id, ARRAY[subject_id] AS path FROM covering WHERE subject_kind = 'group'
        UNION ALL
        SELECT h.child_id, m.path || h.child_id
        FROM member_groups m
        JOIN principal_group_hierarchy h ON h.parent_id = m.group_id
        WHERE NOT h.child_id = ANY (m.path)
      ),
      holders AS (
        SELECT subject_id AS id FROM covering WHERE subject_kind = 'entity'
        UNION
        SELECT m.entity_id FROM principal_group_members m WHERE m.group_id IN (SELECT group_id FROM member_groups)
        UNION
        SELECT tm.entity_id FROM tenant_memberships tm
        WHERE ${object.kind}::text = 'tenant' AND tm.tenant_id = ${object.id}::uuid AND tm.status = 'active'
      )
      SELECT e.id FROM holders h JOIN entities e ON e.id = h.id AND e.deleted_at IS NULL ORDER BY e.name, e.id
    `.pipe(
      decodeManyRows(Row),
      Effect.map((rows) => rows.map((row) => row.id)),
    )
  }).pipe(Effect.withSpan("AuthzRepository.subjectsWithCoveringAllows"))
