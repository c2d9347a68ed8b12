import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { decodeOneRow, JsonArrayColumn } from "./jsonRow.js"
import { ObjectJson, type ObjectRecord, objectRecord } from "./ObjectRecord.js"
import { foundObjectJson, foundObjects } from "./objectTargets.js"
import { reachScopeCtes, withinReachScopes } from "./reachScopes.js"

/**
 * One unconditional allow's scope as SQL can test it (authz.md §2.5–§2.6): the boundary, the mode and its
 * fields, the namespaced type split into kind and sub-kind. SQL keeps a superset (group-object kind/type
 * filters are left to the engine), never less than the engine would allow.
 */
export interface ReachScope {
  /** the grant's boundary: only objects of this tenant; null = any */
  readonly boundary: string | null
  readonly mode: string
  /** the block's tenant, which `tenant` scope covers */
  readonly scopeTenant: string | null
  /** object_kind: the kind; object_type: the kind of the namespaced type */
  readonly kind: string | null
  /** object_type: the sub-kind of the namespaced type */
  readonly subKind: string | null
  readonly objectId: string | null
  readonly groupId: string | null
}

/** Where a subject's unconditional allows can reach, pushed into SQL before exact filtering. */
export interface ListingReach {
  /** some allow spans every tenant (and global objects) */
  readonly anyTenant: boolean
  readonly tenantIds: ReadonlyArray<string>
  readonly objectIds: ReadonlyArray<string>
  /** when given, each candidate must fall in one of these scopes (tested in SQL, per grant) */
  readonly scopes?: ReadonlyArray<ReachScope>
}

export interface ListingCandidatesQuery {
  readonly kind: "entity" | "resource" | "group"
  /** entity kind or resource kind; null = every sub-kind */
  readonly subKind: string | null
  readonly tenantId: string | null
  /** case-insensitive substring of the name */
  readonly q: string | null
  readonly reach: ListingReach
}

const Row = Schema.Struct({ objects: JsonArrayColumn(ObjectJson) })

const likePattern = (q: string | null): string | null =>
  q === null ? null : `%${q.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`

/**
 * The live objects of one kind a listing may show, newest first: global or in an active live tenant,
 * passing the filters and inside the subject's reach (each allow's scope tested in SQL when `reach.scopes`
 * is given, so the cost follows the answer rather than the catalogue); resolved with containers and
 * ancestors so the engine can decide each exactly. Disabled entities and groups are listed (authz.md §4).
 */
export const listObjectCandidates = (
  query: ListingCandidatesQuery,
): Effect.Effect<ReadonlyArray<ObjectRecord>, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const pattern = likePattern(query.q)
    const subKind = query.subKind
    return sql`
      WITH RECURSIVE
      reach_tenants AS (SELECT value::uuid AS id FROM json_array_elements_text(${JSON.stringify(query.reach.tenantIds)}::json)),
      reach_ids AS (SELECT value::uuid AS id FROM json_array_elements_text(${JSON.stringify(query.reach.objectIds)}::json)),
      ${reachScopeCtes(sql, query.reach)},
      candidates AS (
        SELECT 'entity' AS kind, e.id, e.kind AS sub_kind, e.tenant_id, e.created_at,
               (SELECT oge.group_id FROM object_group_entities oge WHERE oge.entity_id = e.id) AS container
        FROM entities e
        WHERE ${query.kind}::text = 'entity' AND e.deleted_at IS NULL
          AND (${subKind}::text IS NULL OR e.kind = ${subKind}::text)
          AND (${pattern}::text IS NULL OR e.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'resource', r.id, r.kind, r.tenant_id, r.created_at,
               (SELECT ogr.group_id FROM object_group_resources ogr WHERE ogr.resource_id = r.id)
        FROM resources r
        WHERE ${query.kind}::text = 'resource' AND r.deleted_at IS NULL
          AND (${subKind}::text IS NULL OR r.kind = ${subKind}::text)
          AND (${pattern}::text IS NULL OR r.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'group', g.id, 'group', g.tenant_id, g.created_at,
               (SELECT h.parent_id FROM object_group_hierarchy h WHERE h.child_id = g.id)
        FROM object_groups g
        WHERE ${query.kind}::text = 'group' AND g.deleted_at IS NULL
          AND (${pattern}::text IS NULL OR g.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'group', g.id, 'group', g.tenant_id, g.created_at,
               (SELECT h.parent_id FROM principal_group_hierarchy h WHERE h.child_id = g.id)
        FROM principal_groups g
        WHERE ${query.kind}::text = 'group' AND g.deleted_at IS NULL
          AND (${pattern}::text IS NULL OR g.name ILIKE ${pattern}::text)
      ),
      targets AS (
        SELECT (row_number() OVER (ORDER BY c.created_at DESC, c.id DESC))::int AS ord, c.kind, c.id
        FROM candidates c
        LEFT JOIN tenants t ON t.id = c.tenant_id
        WHERE (c.tenant_id IS NULL OR (t.status = 'active' AND t.deleted_at IS NULL))
          AND (${query.tenantId}::uuid IS NULL OR c.tenant_id = ${query.tenantId}::uuid)
          AND (${query.reach.anyTenant}::boolean
               OR c.tenant_id IN (SELECT id FROM reach_tenants)
               OR c.id IN (SELECT id FROM reach_ids))
          AND ${withinReachScopes(sql, query.reach)}
      ),
      ${foundObjects(sql, { includeInactive: true })}
      SELECT (
        SELECT COALESCE(json_agg(${foundObjectJson(sql)} ORDER BY f.ord), '[]'::json)
        FROM found f LEFT JOIN tenants tn ON tn.id = f.tenant_id
      )::text AS objects
    `.pipe(
      decodeOneRow(Row),
      Effect.map((row) => row.objects.map(objectRecord)),
    )
  }).pipe(Effect.withSpan("AuthzRepository.listObjectCandidates"))
