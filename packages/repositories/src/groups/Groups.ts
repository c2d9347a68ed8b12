import type { EntityStatus } from "@atom/domain/authz"
import type { GroupFilter, GroupType } from "@atom/domain/groups"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import type { ListingReach } from "../authz/listObjectCandidates.js"
import { decodeRows, execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { listedObjects, reachClause } from "../entities/listedObjects.js"
import { deletedClause, likePattern, listableTenantClause } from "../entities/sqlFilters.js"
import { GROUP_COLUMNS, GROUPS_FROM, GroupRow, groupTables } from "./GroupRow.js"

export interface GroupValues {
  readonly name: string
  readonly description: string | null
  readonly status: EntityStatus
  readonly attributes: Readonly<Record<string, unknown>>
}

const Count = Schema.Struct({ total: Schema.Number })
const Changed = Schema.Struct({ id: Schema.String })

/** Object and principal groups: one aggregate over two tables (a group id lives in exactly one). */
export class Groups extends Effect.Service<Groups>()("atom/Groups", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(GroupRow)
    const changed = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
      decodeRows(Changed)(statement).pipe(Effect.map((r) => r.length > 0))
    const select = sql.unsafe(`SELECT ${GROUP_COLUMNS} FROM ${GROUPS_FROM}`)
    const table = (type: GroupType) => sql.unsafe(groupTables(type).groups)

    const filterClause = (f: GroupFilter) => {
      const pattern = likePattern(f.q)
      return sql`${deletedClause(sql, "g.deleted_at", f.deleted)}
        AND (${pattern}::text IS NULL OR g.name ILIKE ${pattern}::text OR g.description ILIKE ${pattern}::text)
        AND (${f.tenantId}::uuid IS NULL OR g.tenant_id = ${f.tenantId}::uuid)
        AND (${f.parentId}::uuid IS NULL OR g.parent_id = ${f.parentId}::uuid)
        AND (${f.status}::text IS NULL OR g.status = ${f.status}::text)
        AND (${f.groupType}::text IS NULL OR g.group_type = ${f.groupType}::text)`
    }

    return {
      byId: (id: string) => rows(sql`${select} WHERE g.id = ${id}`).pipe(Effect.map((r) => r[0])),
      /** in the order asked */
      byIds: (ids: ReadonlyArray<string>) =>
        rows(sql`${select} WHERE g.id IN ${uuidSet(sql, ids)}`).pipe(
          Effect.map((found) => ids.flatMap((id) => found.filter((g) => g.id === id))),
        ),
      insert: (type: GroupType, id: string, tenantId: string | null, v: GroupValues) =>
        execute(
          sql`INSERT INTO ${table(type)} (id, name, tenant_id, description, status, attributes)
              VALUES (${id}, ${v.name}, ${tenantId}, ${v.description}, ${v.status}, ${JSON.stringify(v.attributes)}::jsonb)`,
        ),
      /** Overwrites a live group; false when it is missing or tombstoned. */
      update: (type: GroupType, id: string, v: GroupValues) =>
        changed(
          sql`UPDATE ${table(type)} SET name = ${v.name}, description = ${v.description}, status = ${v.status},
                attributes = ${JSON.stringify(v.attributes)}::jsonb, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ),
      softDelete: (type: GroupType, id: string, by: string) =>
        changed(
          sql`UPDATE ${table(type)} SET deleted_at = now(), deleted_by = ${by}, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ),
      restore: (type: GroupType, id: string) =>
        changed(
          sql`UPDATE ${table(type)} SET deleted_at = NULL, deleted_by = NULL, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`,
        ),
      /** Hard delete of a tombstoned group (hierarchy, containment, members and group blocks cascade). */
      purge: (type: GroupType, id: string) =>
        changed(sql`DELETE FROM ${table(type)} WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`),
      count: (filter: GroupFilter) =>
        decodeRows(Count)(
          sql`SELECT count(*)::int AS total FROM ${sql.unsafe(GROUPS_FROM)} WHERE ${filterClause(filter)}`,
        ).pipe(Effect.map((r) => r[0]?.total ?? 0)),
      /** One page, newest first. */
      page: (filter: GroupFilter, limit: number, offset: number) =>
        rows(
          sql`${select} WHERE ${filterClause(filter)} ORDER BY g.created_at DESC, g.id DESC
              LIMIT ${limit} OFFSET ${offset}`,
        ),
      /** Live candidates of a read-filtered listing within a subject's reach, resolved for the engine. */
      listingCandidates: (filter: GroupFilter, reach: ListingReach) =>
        listedObjects(
          "group",
          sql`SELECT g.id, g.created_at, g.tenant_id, 'group'::text AS sub_kind, g.parent_id AS container FROM ${sql.unsafe(GROUPS_FROM)}
              WHERE ${filterClause({ ...filter, deleted: "live" })}
                AND ${listableTenantClause(sql, "g.tenant_id")}
                AND ${reachClause(sql, reach, "g.id", "g.tenant_id")}`,
          reach,
        ).pipe(Effect.provideService(SqlClient.SqlClient, sql)),
    }
  }),
}) {}
