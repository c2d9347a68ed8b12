import type { ResourceFilter } from "@atom/domain/resources"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { ListingReach } from "../authz/listObjectCandidates.js"
import { decodeRows, execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { listedObjects, reachClause } from "../entities/listedObjects.js"
import { deletedClause, likePattern, listableTenantClause, objectGroupClause } from "../entities/sqlFilters.js"
import { RESOURCE_COLUMNS, RESOURCE_FROM, ResourceRow } from "./ResourceRow.js"

export interface NewResource {
  readonly kind: string
  readonly name: string | null
  readonly alias: string | null
  readonly tenantId: string | null
  readonly ownerId: string | null
  readonly attributes: Readonly<Record<string, unknown>>
}

export interface ResourceValues {
  readonly name: string | null
  readonly alias: string | null
  readonly attributes: Readonly<Record<string, unknown>>
}

const Count = Schema.Struct({ total: Schema.Number })
const Changed = Schema.Struct({ id: Schema.String })
const Kind = Schema.Struct({ kind: Schema.String })

/** The resource aggregate: rows, lifecycle, listings. Tombstoned rows are returned; services decide. */
export class Resources extends Effect.Service<Resources>()("atom/Resources", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(ResourceRow)
    const changed = decodeRows(Changed)
    const select = sql.unsafe(`SELECT ${RESOURCE_COLUMNS} FROM ${RESOURCE_FROM}`)
    const from = sql.unsafe(RESOURCE_FROM)

    const filterClause = (f: ResourceFilter) => {
      const pattern = likePattern(f.q)
      const contains = f.attributesContains === null ? null : JSON.stringify(f.attributesContains)
      return sql`${deletedClause(sql, "r.deleted_at", f.deleted)}
        AND (${pattern}::text IS NULL OR r.name ILIKE ${pattern}::text OR r.alias ILIKE ${pattern}::text
             OR r.attributes::text ILIKE ${pattern}::text)
        AND (${f.kind}::text IS NULL OR r.kind = ${f.kind}::text)
        AND (${f.tenantId}::uuid IS NULL OR r.tenant_id = ${f.tenantId}::uuid)
        AND (${contains}::jsonb IS NULL OR r.attributes @> ${contains}::jsonb)
        AND ${objectGroupClause(sql, "ogr.group_id", f.parentGroupId, f.includeDescendants)}`
    }

    return {
      byId: (id: string) => rows(sql`${select} WHERE r.id = ${id}`).pipe(Effect.map((r) => r[0])),
      /** in the order asked */
      byIds: (ids: ReadonlyArray<string>) =>
        rows(sql`${select} WHERE r.id IN ${uuidSet(sql, ids)}`).pipe(
          Effect.map((found) => ids.flatMap((id) => found.filter((r) => r.id === id))),
        ),
      insert: (id: string, v: NewResource) =>
        execute(
          sql`INSERT INTO resources (id, kind, name, alias, tenant_id, owner_id, attributes)
              VALUES (${id}, ${v.kind}, ${v.name}, ${v.alias}, ${v.tenantId}, ${v.ownerId},
                      ${JSON.stringify(v.attributes)}::jsonb)`,
        ),
      /** Overwrites a live resource's editable fields; false when it is missing or tombstoned. */
      update: (id: string, v: ResourceValues) =>
        changed(
          sql`UPDATE resources SET name = ${v.name}, alias = ${v.alias},
                attributes = ${JSON.stringify(v.attributes)}::jsonb, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      softDelete: (id: string, by: string) =>
        changed(
          sql`UPDATE resources SET deleted_at = now(), deleted_by = ${by}, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      restore: (id: string) =>
        changed(
          sql`UPDATE resources SET deleted_at = NULL, deleted_by = NULL, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      purge: (id: string) =>
        changed(sql`DELETE FROM resources WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`).pipe(
          Effect.map((r) => r.length > 0),
        ),
      count: (filter: ResourceFilter) =>
        decodeRows(Count)(sql`SELECT count(*)::int AS total FROM ${from} WHERE ${filterClause(filter)}`).pipe(
          Effect.map((r) => r[0]?.total ?? 0),
        ),
      /** One page, newest first. */
      page: (filter: ResourceFilter, limit: number, offset: number) =>
        rows(
          sql`${select} WHERE ${filterClause(filter)} ORDER BY r.created_at DESC, r.id DESC
              LIMIT ${limit} OFFSET ${offset}`,
        ),
      /** Live candidates of a read-filtered listing within a subject's reach, resolved for the engine. */
      listingCandidates: (filter: ResourceFilter, reach: ListingReach) =>
        listedObjects(
          "resource",
          sql`SELECT r.id, r.created_at, r.tenant_id, r.kind AS sub_kind, ogr.group_id AS container FROM ${from}
              WHERE ${filterClause({ ...filter, deleted: "live" })}
                AND ${listableTenantClause(sql, "r.tenant_id")}
                AND ${reachClause(sql, reach, "r.id", "r.tenant_id")}`,
          reach,
        ).pipe(Effect.provideService(SqlClient.SqlClient, sql)),
      /** Distinct kinds of live resources (optionally of one tenant), sorted. */
      kinds: (tenantId: string | null) =>
        decodeRows(Kind)(
          sql`SELECT DISTINCT kind FROM resources
              WHERE deleted_at IS NULL AND (${tenantId}::uuid IS NULL OR tenant_id = ${tenantId}::uuid)
              ORDER BY kind`,
        ).pipe(Effect.map((r) => r.map((k) => k.kind))),
    }
  }),
}) {}
