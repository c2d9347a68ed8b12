import type { TenantStatus } from "@atom/domain/authz"
import type { DeletedFilter, Paging, Tenant } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { CountRow, likePattern, TENANT_COLUMNS, TenantRow } from "./rows.js"

export interface TenantFilter {
  /** case-insensitive substring of name, alias or the attributes' text */
  readonly q: string | null
  readonly name: string | null
  /** compared case-insensitively */
  readonly alias: string | null
  readonly status: TenantStatus | null
  readonly deleted: DeletedFilter
}

/** Tenants an authorization listing may consider: any, or only these ids. */
export interface TenantReach {
  readonly anyTenant: boolean
  readonly tenantIds: ReadonlyArray<string>
}

export interface NewTenant {
  readonly id: string
  readonly name: string
  readonly alias: string | null
  readonly tags: ReadonlyArray<string>
  readonly attributes: Readonly<Record<string, unknown>>
  readonly createdBy: string
}

/** A patch: an absent field keeps the column; `alias: null` clears it. */
export interface TenantPatch {
  readonly name?: string | undefined
  readonly alias?: string | null | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
}

/** The tenants table: reads, writes and the hard delete of purge. */
export class Tenants extends Effect.Service<Tenants>()("atom/Tenants", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(TenantRow)
    const columns = sql.unsafe(TENANT_COLUMNS)
    const first = Effect.map((r: ReadonlyArray<Tenant>) => r[0])

    const where = (f: TenantFilter) =>
      sql.and([
        f.deleted === "live"
          ? sql`t.deleted_at IS NULL`
          : f.deleted === "deleted"
            ? sql`t.deleted_at IS NOT NULL`
            : sql`TRUE`,
        f.q === null
          ? sql`TRUE`
          : sql`(t.name ILIKE ${likePattern(f.q)} OR t.alias ILIKE ${likePattern(f.q)} OR t.attributes::text ILIKE ${likePattern(f.q)})`,
        f.name === null ? sql`TRUE` : sql`t.name = ${f.name}`,
        f.alias === null ? sql`TRUE` : sql`lower(t.alias) = ${f.alias.trim().toLowerCase()}`,
        f.status === null ? sql`TRUE` : sql`t.status = ${f.status}`,
      ])

    return {
      /** The tenant, tombstoned or not. */
      byId: (id: string) => rows(sql`SELECT ${columns} FROM tenants t WHERE t.id = ${id}`).pipe(first),

      page: (filter: TenantFilter, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM tenants t WHERE ${where(filter)}
              ORDER BY t.created_at DESC, t.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),

      count: (filter: TenantFilter) =>
        decodeRows(CountRow)(sql`SELECT count(*)::int AS total FROM tenants t WHERE ${where(filter)}`).pipe(
          Effect.map((r) => r[0]?.total ?? 0),
        ),

      /** Live, active tenants passing the filter inside the reach, newest first, for exact filtering. */
      listableCandidates: (filter: TenantFilter, reach: TenantReach) =>
        rows(
          sql`SELECT ${columns} FROM tenants t
              WHERE ${where({ ...filter, deleted: "live" })} AND t.status = 'active'
                AND (${reach.anyTenant}::boolean
                     OR t.id IN ${uuidSet(sql, reach.tenantIds)})
              ORDER BY t.created_at DESC, t.id DESC`,
        ),

      insert: (tenant: NewTenant) =>
        rows(
          sql`INSERT INTO tenants AS t (id, name, alias, status, tags, attributes, created_by, updated_by)
              VALUES (${tenant.id}, ${tenant.name}, ${tenant.alias}, 'active', ${JSON.stringify(tenant.tags)}::jsonb,
                      ${JSON.stringify(tenant.attributes)}::jsonb, ${tenant.createdBy}, ${tenant.createdBy})
              RETURNING ${columns}`,
        ).pipe(first),

      /** Patches a live tenant; undefined when there is none. */
      update: (id: string, patch: TenantPatch, updatedBy: string) =>
        rows(
          sql`UPDATE tenants AS t SET
                name = COALESCE(${patch.name ?? null}::text, t.name),
                alias = CASE WHEN ${patch.alias !== undefined}::boolean THEN ${patch.alias ?? null}::text ELSE t.alias END,
                tags = COALESCE(${patch.tags === undefined ? null : JSON.stringify(patch.tags)}::jsonb, t.tags),
                attributes = COALESCE(${patch.attributes === undefined ? null : JSON.stringify(patch.attributes)}::jsonb, t.attributes),
                updated_by = ${updatedBy}, updated_at = now()
              WHERE t.id = ${id} AND t.deleted_at IS NULL
              RETURNING ${columns}`,
        ).pipe(first),

      /** Sets the status of a live tenant; undefined when there is none. */
      setStatus: (id: string, status: Exclude<TenantStatus, "deleted">, updatedBy: string) =>
        rows(
          sql`UPDATE tenants AS t SET status = ${status}, updated_by = ${updatedBy}, updated_at = now()
              WHERE t.id = ${id} AND t.deleted_at IS NULL
              RETURNING ${columns}`,
        ).pipe(first),

      /** Status `deleted` plus the tombstone; undefined when there is no live tenant. */
      softDelete: (id: string, deletedBy: string) =>
        rows(
          sql`UPDATE tenants AS t SET status = 'deleted', deleted_at = now(), deleted_by = ${deletedBy},
                updated_by = ${deletedBy}, updated_at = now()
              WHERE t.id = ${id} AND t.deleted_at IS NULL
              RETURNING ${columns}`,
        ).pipe(first),

      /** Clears the tombstone and reactivates; undefined when the tenant is not soft-deleted. */
      restore: (id: string, restoredBy: string) =>
        rows(
          sql`UPDATE tenants AS t SET status = 'active', deleted_at = NULL, deleted_by = NULL,
                updated_by = ${restoredBy}, updated_at = now()
              WHERE t.id = ${id} AND t.deleted_at IS NOT NULL
              RETURNING ${columns}`,
        ).pipe(first),

      /**
       * Purge, step 1: blocks elsewhere that target anything the purge removes (the tenant, its entities
       * and their credentials, resources, groups, roles) would dangle; delete them.
       */
      deleteBlocksTargetingTenants: (ids: ReadonlyArray<string>) => {
        const tenants = uuidSet(sql, ids)
        return execute(
          sql`DELETE FROM permission_blocks WHERE object_id IN (
                SELECT id FROM tenants WHERE id IN ${tenants}
                UNION ALL SELECT e.id FROM entities e WHERE e.tenant_id IN ${tenants}
                UNION ALL SELECT c.id FROM credentials c JOIN entities e ON e.id = c.entity_id WHERE e.tenant_id IN ${tenants}
                UNION ALL SELECT r.id FROM resources r WHERE r.tenant_id IN ${tenants}
                UNION ALL SELECT g.id FROM object_groups g WHERE g.tenant_id IN ${tenants}
                UNION ALL SELECT g.id FROM principal_groups g WHERE g.tenant_id IN ${tenants}
                UNION ALL SELECT r.id FROM roles r WHERE r.tenant_id IN ${tenants})`,
        )
      },

      /** Purge, step 2: grants elsewhere whose subject is an entity or principal group the purge removes. */
      deleteBindingsOfTenantSubjects: (ids: ReadonlyArray<string>) => {
        const tenants = uuidSet(sql, ids)
        const subjects = sql`(SELECT e.id FROM entities e WHERE e.tenant_id IN ${tenants}
                  UNION ALL SELECT g.id FROM principal_groups g WHERE g.tenant_id IN ${tenants})`
        return Effect.all([
          execute(sql`DELETE FROM role_assignments WHERE subject_id IN ${subjects}`),
          execute(sql`DELETE FROM direct_policies WHERE subject_id IN ${subjects}`),
        ]).pipe(Effect.asVoid)
      },

      /** Purge, step 3: the row itself; its children go by cascade. False when nothing was deleted. */
      hardDelete: (id: string) =>
        decodeRows(CountRow)(
          sql`WITH d AS (DELETE FROM tenants WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING 1)
              SELECT count(*)::int AS total FROM d`,
        ).pipe(Effect.map((r) => (r[0]?.total ?? 0) > 0)),
    }
  }),
}) {}
