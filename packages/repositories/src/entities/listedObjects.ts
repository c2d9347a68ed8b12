import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeOneRow, JsonArrayColumn } from "../authz/jsonRow.js"
import type { ListingReach } from "../authz/listObjectCandidates.js"
import { ObjectJson, type ObjectRecord, objectRecord } from "../authz/ObjectRecord.js"
import { foundObjectJson, foundObjects } from "../authz/objectTargets.js"
import { reachScopeCtes, withinReachScopes } from "../authz/reachScopes.js"
import type { DbFailure } from "../db/sqlErrors.js"
import { uuidSet } from "../db/uuidSet.js"

/** A listing's candidates within a subject's reach (`id` and `tenant_id` of the candidate rows). */
export const reachClause = (sql: Statement.Constructor, reach: ListingReach, idColumn: string, tenantColumn: string) =>
  reach.anyTenant
    ? sql`TRUE`
    : sql`(${sql.unsafe(tenantColumn)} IN ${uuidSet(sql, reach.tenantIds)} OR ${sql.unsafe(idColumn)} IN ${uuidSet(sql, reach.objectIds)})`

const Row = Schema.Struct({ objects: JsonArrayColumn(ObjectJson) })

/**
 * Candidates of a read-filtered listing, resolved as the engine judges them (tenant state, container,
 * ancestors), newest first. `candidates` selects `id, created_at, tenant_id, sub_kind, container` rows
 * (already inside `reachClause`); each allow's own scope is tested here in SQL as for `authorizedObjectIds`,
 * so the rows judged follow what the caller may read, not the size of its tenants. Inactive objects resolve
 * too, since listings show disabled entities and groups (authz.md §4).
 */
export const listedObjects = (
  kind: "entity" | "resource" | "group",
  candidates: Statement.Fragment,
  reach: ListingReach,
): Effect.Effect<ReadonlyArray<ObjectRecord>, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`
      WITH RECURSIVE
      ${reachScopeCtes(sql, reach)},
      candidates AS (SELECT ${kind}::text AS kind, x.* FROM (${candidates}) x),
      targets AS (
        SELECT (row_number() OVER (ORDER BY c.created_at DESC, c.id DESC))::int AS ord, c.kind, c.id
        FROM candidates c
        WHERE ${withinReachScopes(sql, reach)}
      ),
      ${foundObjects(sql, { includeInactive: true })}
      SELECT (
        SELECT COALESCE(json_agg(${foundObjectJson(sql)} ORDER BY f.ord), '[]'::json)
        FROM found f LEFT JOIN tenants tn ON tn.id = f.tenant_id
      )::text AS objects
    `.pipe(
      decodeOneRow(Row),
      Effect.map((row) => row.objects.map(objectRecord)),
    ),
  ).pipe(Effect.withSpan("Repositories.listedObjects", { attributes: { kind } }))
