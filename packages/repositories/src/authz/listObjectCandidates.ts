import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { decodeOneRow, JsonArrayColumn } from "./jsonRow.js"
import { ObjectJson, type ObjectRecord, objectRecord } from "./ObjectRecord.js"
import { foundObjectJson, foundObjects } from "./objectTargets.js"

/** Where a subject's unconditional allows can reach, pushed into SQL before exact filtering. */
export interface ListingReach {
  /** some allow spans every tenant (and global objects) */
  readonly anyTenant: boolean
  readonly tenantIds: ReadonlyArray<string>
  readonly objectIds: ReadonlyArray<string>
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
 * passing the filters and inside the subject's reach; resolved with containers and ancestors so the
 * engine can decide each exactly. Disabled entities and groups are listed (authz.md §4).
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
      candidates AS (
        SELECT 'entity' AS kind, e.id, e.tenant_id, e.created_at
        FROM entities e
        WHERE ${query.kind}::text = 'entity' AND e.deleted_at IS NULL
          AND (${subKind}::text IS NULL OR e.kind = ${subKind}::text)
          AND (${pattern}::text IS NULL OR e.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'resource', r.id, r.tenant_id, r.created_at
        FROM resources r
        WHERE ${query.kind}::text = 'resource' AND r.deleted_at IS NULL
          AND (${subKind}::text IS NULL OR r.kind = ${subKind}::text)
          AND (${pattern}::text IS NULL OR r.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'group', g.id, g.tenant_id, g.created_at
        FROM object_groups g
        WHERE ${query.kind}::text = 'group' AND g.deleted_at IS NULL
          AND (${pattern}::text IS NULL OR g.name ILIKE ${pattern}::text)
        UNION ALL
        SELECT 'group', g.id, g.tenant_id, g.created_at
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
