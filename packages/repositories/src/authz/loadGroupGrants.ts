import { type BindingRow, EntityStatus, GroupId, PrincipalGroupRow, TenantId } from "@atom/domain/authz"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { bindingRowsOfHolders } from "./bindingRows.js"
import { decodeOneRow, JsonArrayColumn } from "./jsonRow.js"
import { BindingJson } from "./SubjectState.js"

/** A live principal group as the inspection queries show it. */
export const PrincipalGroupSummary = Schema.Struct({
  id: GroupId,
  name: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  status: EntityStatus,
})
export type PrincipalGroupSummary = typeof PrincipalGroupSummary.Type

/** What a member of the group inherits: the group, its ancestors and their bindings. */
export interface GroupGrants {
  /** null when the group is missing or tombstoned */
  readonly group: PrincipalGroupSummary | null
  /** the group (as if its member were loaded) and every ancestor */
  readonly principalGroups: ReadonlyArray<PrincipalGroupRow>
  readonly bindings: ReadonlyArray<BindingRow>
}

const Row = Schema.Struct({
  principalGroup: Schema.NullOr(Schema.parseJson(PrincipalGroupSummary)),
  groups: JsonArrayColumn(PrincipalGroupRow),
  bindings: JsonArrayColumn(BindingJson),
})

/** Loads a principal group, its ancestors (recursive CTE, cycle-safe) and their bindings: one round trip. */
export const loadGroupGrants = (groupId: string): Effect.Effect<GroupGrants, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`
      WITH RECURSIVE
      reach AS (
        SELECT g.id AS group_id, h.parent_id, g.status, g.deleted_at IS NOT NULL AS deleted, true AS direct_member
        FROM principal_groups g
        LEFT JOIN principal_group_hierarchy h ON h.child_id = g.id
        WHERE g.id = ${groupId}::uuid AND g.deleted_at IS NULL
        UNION
        SELECT p.id, h.parent_id, p.status, p.deleted_at IS NOT NULL, false
        FROM reach r
        JOIN principal_groups p ON p.id = r.parent_id
        LEFT JOIN principal_group_hierarchy h ON h.child_id = p.id
        WHERE r.status = 'active' AND NOT r.deleted
      ),
      holders AS (SELECT DISTINCT 'group' AS kind, group_id AS id FROM reach),
      ${bindingRowsOfHolders(sql)}
      SELECT
        (SELECT json_build_object('id', g.id, 'name', g.name, 'tenantId', g.tenant_id, 'status', g.status)
         FROM principal_groups g WHERE g.id = ${groupId}::uuid AND g.deleted_at IS NULL)::text AS principal_group,
        (SELECT COALESCE(json_agg(json_build_object(
            'groupId', r.group_id, 'parentId', r.parent_id, 'status', r.status, 'deleted', r.deleted,
            'directMember', r.direct_member)), '[]'::json) FROM reach r)::text AS groups,
        (SELECT COALESCE(json_agg(b), '[]'::json) FROM bindings)::text AS bindings
    `.pipe(
      decodeOneRow(Row),
      Effect.map(
        (row): GroupGrants => ({ group: row.principalGroup, principalGroups: row.groups, bindings: row.bindings }),
      ),
    ),
  ).pipe(Effect.withSpan("AuthzRepository.loadGroupGrants"))
