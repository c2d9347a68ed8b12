import type { BindingRow, CeilingEntryRow, GrantExpansionInput } from "@atom/domain/authz"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { bindingRowsOfHolders } from "./bindingRows.js"
import { type Catalogue, CatalogueColumns, type CatalogueWant, catalogueOf, revisionAndCatalogue } from "./Catalogue.js"
import { decodeOneRow, JsonArrayColumn, RevisionColumn } from "./jsonRow.js"
import {
  BindingJson,
  CeilingJson,
  MembershipJson,
  ReachedGroupJson,
  SubjectJson,
  type SubjectRecord,
  subjectRecord,
} from "./SubjectState.js"

/** Everything grant expansion needs for a batch of subjects, read in one statement and one snapshot. */
export interface SubjectStates {
  readonly revision: bigint
  /** present only when the caller's known revision was stale */
  readonly catalogue: Catalogue | null
  /** live subjects only; a missing id is missing or tombstoned */
  readonly subjects: ReadonlyArray<SubjectRecord>
  readonly groups: ReadonlyArray<typeof ReachedGroupJson.Type>
  readonly bindings: ReadonlyArray<BindingRow>
  readonly memberships: ReadonlyArray<typeof MembershipJson.Type>
  /** the ceiling entries of `credentialId`, when one was asked for */
  readonly ceiling: ReadonlyArray<CeilingEntryRow>
}

export interface SubjectStatesQuery {
  readonly subjectIds: ReadonlyArray<string>
  /** a scoped access token whose ceiling to load alongside */
  readonly credentialId: string | null
  readonly catalogue: CatalogueWant
}

const Row = Schema.Struct({
  revision: RevisionColumn,
  subjects: JsonArrayColumn(SubjectJson),
  groups: JsonArrayColumn(ReachedGroupJson),
  bindings: JsonArrayColumn(BindingJson),
  memberships: JsonArrayColumn(MembershipJson),
  ceiling: JsonArrayColumn(CeilingJson),
  ...CatalogueColumns,
})

/**
 * Loads subjects, the principal groups they reach (recursive CTE, walked only through usable groups,
 * cycle-safe by UNION), every direct policy and role assignment on them or those groups expanded to
 * block × action, their tenant memberships and, optionally, a token ceiling: one round trip.
 */
export const loadSubjectStates = (
  query: SubjectStatesQuery,
): Effect.Effect<SubjectStates, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`
      WITH RECURSIVE
      wanted AS (SELECT DISTINCT value::uuid AS id FROM json_array_elements_text(${JSON.stringify(query.subjectIds)}::json)),
      subjects AS (
        SELECT e.id, e.name, e.kind, e.tenant_id, e.status, e.attributes,
               t.id AS t_id, t.status AS t_status, t.deleted_at IS NOT NULL AS t_deleted, t.attributes AS t_attributes
        FROM entities e
        JOIN wanted w ON w.id = e.id
        LEFT JOIN tenants t ON t.id = e.tenant_id
        WHERE e.deleted_at IS NULL
      ),
      reach AS (
        SELECT m.entity_id, g.id AS group_id, h.parent_id, g.status, g.deleted_at IS NOT NULL AS deleted,
               true AS direct_member
        FROM principal_group_members m
        JOIN subjects s ON s.id = m.entity_id
        JOIN principal_groups g ON g.id = m.group_id
        LEFT JOIN principal_group_hierarchy h ON h.child_id = g.id
        UNION
        SELECT r.entity_id, p.id, h.parent_id, p.status, p.deleted_at IS NOT NULL, false
        FROM reach r
        JOIN principal_groups p ON p.id = r.parent_id
        LEFT JOIN principal_group_hierarchy h ON h.child_id = p.id
        WHERE r.status = 'active' AND NOT r.deleted
      ),
      reached AS (
        SELECT entity_id, group_id, parent_id, status, deleted, bool_or(direct_member) AS direct_member
        FROM reach
        GROUP BY entity_id, group_id, parent_id, status, deleted
      ),
      holders AS (
        SELECT 'entity' AS kind, id FROM subjects
        UNION
        SELECT 'group', group_id FROM reached
      ),
      ${bindingRowsOfHolders(sql)}
      SELECT
        ${revisionAndCatalogue(sql, query.catalogue)},
        (SELECT COALESCE(json_agg(json_build_object(
            'id', s.id, 'name', s.name, 'kind', s.kind, 'tenantId', s.tenant_id, 'status', s.status,
            'attributes', s.attributes,
            'tenant', CASE WHEN s.t_id IS NULL THEN NULL ELSE json_build_object(
              'id', s.t_id, 'status', s.t_status, 'deleted', s.t_deleted, 'attributes', s.t_attributes) END
          )), '[]'::json) FROM subjects s)::text AS subjects,
        (SELECT COALESCE(json_agg(json_build_object(
            'entityId', g.entity_id, 'groupId', g.group_id, 'parentId', g.parent_id, 'status', g.status,
            'deleted', g.deleted, 'directMember', g.direct_member
          )), '[]'::json) FROM reached g)::text AS groups,
        (SELECT COALESCE(json_agg(b), '[]'::json) FROM bindings)::text AS bindings,
        (SELECT COALESCE(json_agg(json_build_object(
            'entityId', tm.entity_id, 'tenantId', tm.tenant_id, 'status', tm.status,
            'tenantStatus', t.status, 'tenantDeleted', t.deleted_at IS NOT NULL
          )), '[]'::json)
          FROM tenant_memberships tm
          JOIN subjects s ON s.id = tm.entity_id
          JOIN tenants t ON t.id = tm.tenant_id)::text AS memberships,
        (SELECT COALESCE(json_agg(json_build_object(
            'limitId', l.id, 'tenantId', l.tenant_id, 'scopeMode', l.scope_mode, 'objectKind', l.object_kind,
            'objectType', l.object_type, 'objectId', l.object_id, 'conditions', l.conditions, 'action', a.name
          )), '[]'::json)
          FROM credential_permission_limits l
          JOIN credential_permission_limit_actions la ON la.limit_id = l.id
          JOIN actions a ON a.id = la.action_id
          WHERE l.credential_id = ${query.credentialId}::uuid)::text AS ceiling
    `.pipe(
      decodeOneRow(Row),
      Effect.map(
        (row): SubjectStates => ({
          revision: row.revision,
          catalogue: catalogueOf(row),
          subjects: row.subjects.map(subjectRecord),
          groups: row.groups,
          bindings: row.bindings,
          memberships: row.memberships,
          ceiling: row.ceiling,
        }),
      ),
    ),
  ).pipe(Effect.withSpan("AuthzRepository.loadSubjectStates"))

/** One subject's slice of a batch load, ready for `expandGrants`; null when the subject is not live. */
export const expansionInputFor = (states: SubjectStates, subjectId: string): GrantExpansionInput | null => {
  const record = states.subjects.find((s) => s.subject.id === subjectId)
  if (record === undefined) return null
  const principalGroups = states.groups.filter((g) => g.entityId === subjectId)
  const groupIds = new Set<string>(principalGroups.map((g) => g.groupId))
  return {
    subject: record.subject,
    principalGroups: principalGroups.map(({ entityId: _, ...row }) => row),
    bindings: states.bindings.filter((b) =>
      b.subjectKind === "entity" ? b.subjectId === subjectId : groupIds.has(b.subjectId),
    ),
    memberships: states.memberships.filter((m) => m.entityId === subjectId).map(({ entityId: _, ...row }) => row),
  }
}
