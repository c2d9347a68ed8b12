import type { RoleFilter } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { HolderKindsJson, JsonList, PageRow, RoleJson } from "./policyJson.js"
import { decodeOne, decodeOptional, roleObject, touched } from "./policySql.js"

const Items = Schema.Struct({ items: JsonList(RoleJson) })
const Holders = Schema.Struct({ items: JsonList(HolderKindsJson) })
const LockedRole = Schema.Struct({ tenantId: Schema.NullOr(Schema.UUID) })
const Purged = Schema.Struct({ tenantId: Schema.NullOr(Schema.UUID), blockIds: JsonList(Schema.UUID) })
const IdRow = Schema.Struct({ id: Schema.UUID })

/** Roles and their block links (authz.md §1 roles, role_permission_blocks). */
export class Roles extends Effect.Service<Roles>()("atom/Roles", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const role = roleObject(sql)

    /** Roles by tenant, derived kind, name/description search and tombstone state, by name. */
    const list = (filter: RoleFilter) =>
      sql`
        WITH filtered AS (
          SELECT r.* FROM roles r
          WHERE (${filter.tenantId}::uuid IS NULL OR r.tenant_id = ${filter.tenantId}::uuid)
            AND (${filter.q}::text IS NULL OR r.name ILIKE '%' || ${filter.q}::text || '%'
                 OR r.description ILIKE '%' || ${filter.q}::text || '%')
            AND (${filter.derivedKind}::text IS NULL
                 OR (${filter.derivedKind}::text = 'simple'
                     AND EXISTS (SELECT 1 FROM role_permission_blocks x WHERE x.role_id = r.id))
                 OR (${filter.derivedKind}::text = 'empty'
                     AND NOT EXISTS (SELECT 1 FROM role_permission_blocks x WHERE x.role_id = r.id)))
            AND (${filter.deleted}::text = 'all'
                 OR (${filter.deleted}::text = 'live' AND r.deleted_at IS NULL)
                 OR (${filter.deleted}::text = 'deleted' AND r.deleted_at IS NOT NULL))
        ),
        page AS (SELECT * FROM filtered ORDER BY name, id LIMIT ${filter.page.limit} OFFSET ${filter.page.offset})
        SELECT (SELECT COALESCE(json_agg(${role} ORDER BY r.name, r.id), '[]'::json) FROM page r)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(RoleJson)), Effect.withSpan("Roles.list"))

    /** Roles by id, tombstoned ones included. */
    const byIds = (ids: ReadonlyArray<string>) =>
      (ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT COALESCE(json_agg(${role} ORDER BY r.name, r.id), '[]'::json)::text AS items
              FROM roles r WHERE r.id IN ${uuidSet(sql, ids)}`.pipe(
            decodeOne(Items),
            Effect.map((r) => r.items),
          )
      ).pipe(Effect.withSpan("Roles.byIds"))

    const byId = (id: string) => Effect.map(byIds([id]), (rows) => rows[0])

    const insert = (row: {
      readonly id: string
      readonly name: string
      readonly tenantId: string | null
      readonly description: string | null
    }) =>
      execute(
        sql`INSERT INTO roles (id, name, tenant_id, description)
            VALUES (${row.id}, ${row.name}, ${row.tenantId}, ${row.description})`,
      )

    /**
     * Locks a live role for the rest of the transaction: `update` against link replacement and edits,
     * `share` against them while an assignment is judged. Undefined when missing or tombstoned.
     */
    const lockLive = (id: string, mode: "update" | "share") =>
      sql`SELECT tenant_id FROM roles WHERE id = ${id} AND deleted_at IS NULL
          ${mode === "update" ? sql`FOR UPDATE` : sql`FOR SHARE`}`.pipe(decodeOptional(LockedRole))

    const update = (
      id: string,
      patch: { readonly name?: string | undefined; readonly description?: string | undefined },
    ) =>
      touched(
        sql`UPDATE roles SET name = COALESCE(${patch.name ?? null}::text, name),
                             description = COALESCE(${patch.description ?? null}::text, description),
                             updated_at = now()
            WHERE id = ${id} AND deleted_at IS NULL RETURNING 1 AS found`,
      )

    /** Links exactly `blockIds` (kept links keep their age). */
    const replaceLinks = (roleId: string, blockIds: ReadonlyArray<string>) =>
      Effect.zipRight(
        execute(
          sql`DELETE FROM role_permission_blocks
              WHERE role_id = ${roleId} AND permission_block_id NOT IN ${uuidSet(sql, blockIds)}`,
        ),
        blockIds.length === 0
          ? Effect.void
          : execute(
              sql`INSERT INTO role_permission_blocks (role_id, permission_block_id)
                  SELECT ${roleId}::uuid, x.id FROM ${uuidSet(sql, blockIds)} AS x (id)
                  ON CONFLICT DO NOTHING`,
            ),
      ).pipe(Effect.withSpan("Roles.replaceLinks"))

    const softDelete = (id: string, by: string) =>
      touched(
        sql`UPDATE roles SET deleted_at = now(), deleted_by = ${by}, updated_at = now()
            WHERE id = ${id} AND deleted_at IS NULL RETURNING 1 AS found`,
      )

    /** Clears a tombstone; a live role of the same name and tenant makes it a conflict (unique index). */
    const restore = (id: string) =>
      touched(
        sql`UPDATE roles SET deleted_at = NULL, deleted_by = NULL, updated_at = now()
            WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING 1 AS found`,
      )

    /** Whether a tombstoned role's tenant is tombstoned too; undefined when there is no such role. */
    const tombstonedTenantOf = (id: string) =>
      sql`SELECT (t.deleted_at IS NOT NULL) AS tenant_deleted FROM roles r LEFT JOIN tenants t ON t.id = r.tenant_id
          WHERE r.id = ${id} AND r.deleted_at IS NOT NULL`.pipe(
        decodeOptional(Schema.Struct({ tenantDeleted: Schema.Boolean })),
        Effect.map((r) => r?.tenantDeleted),
      )

    /** The permission blocks linked to any of the roles, as a query of `id`s. */
    const linkedQuery = (roleIds: ReadonlyArray<string>) =>
      sql`SELECT DISTINCT permission_block_id AS id FROM role_permission_blocks WHERE role_id IN ${uuidSet(sql, roleIds)}`

    /** The permission blocks the roles link: what to collect (`deleteUnreferenced`) once they are gone. */
    const linkedBlocks = (roleIds: ReadonlyArray<string>) =>
      decodeRows(IdRow)(linkedQuery(roleIds)).pipe(Effect.map((rows) => rows.map((r) => r.id)))

    /**
     * Deletes a tombstoned role (assignments and links cascade) and the blocks that targeted it; answers the
     * role's tenant and the blocks it linked (for garbage collection), or undefined when there is no such role.
     */
    const purge = (id: string) =>
      sql`
        WITH linked AS (${linkedQuery([id])}),
        del AS (DELETE FROM roles WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING tenant_id),
        targeting AS (DELETE FROM permission_blocks WHERE object_id = ${id} AND EXISTS (SELECT 1 FROM del))
        SELECT del.tenant_id, (SELECT COALESCE(json_agg(linked.id), '[]'::json) FROM linked)::text AS block_ids FROM del
      `.pipe(decodeOptional(Purged), Effect.withSpan("Roles.purge"))

    /**
     * Who holds a role, per assignment boundary: the kinds of directly assigned entities and of every member of
     * assigned principal groups and their descendants (§6.3 fixed: not only direct members).
     */
    const holderKinds = (roleId: string) =>
      sql`
        WITH RECURSIVE assigned AS (
          SELECT ra.tenant_id, ra.subject_id AS group_id FROM role_assignments ra
          WHERE ra.role_id = ${roleId} AND ra.subject_kind = 'group'
          UNION
          SELECT a.tenant_id, h.child_id FROM assigned a JOIN principal_group_hierarchy h ON h.parent_id = a.group_id
        ),
        reached AS (
          SELECT ra.tenant_id, e.kind FROM role_assignments ra
          JOIN entities e ON e.id = ra.subject_id AND e.deleted_at IS NULL
          WHERE ra.role_id = ${roleId} AND ra.subject_kind = 'entity'
          UNION
          SELECT a.tenant_id, e.kind FROM assigned a
          JOIN principal_group_members m ON m.group_id = a.group_id
          JOIN entities e ON e.id = m.entity_id AND e.deleted_at IS NULL
        )
        SELECT COALESCE(json_agg(json_build_object('tenantId', h.tenant_id, 'entityKinds', h.kinds)), '[]'::json)::text AS items
        FROM (SELECT tenant_id, json_agg(DISTINCT kind) AS kinds FROM reached GROUP BY tenant_id) h
      `.pipe(
        decodeOne(Holders),
        Effect.map((r) => r.items),
        Effect.withSpan("Roles.holderKinds"),
      )

    return {
      list,
      byIds,
      byId,
      insert,
      lockLive,
      update,
      replaceLinks,
      softDelete,
      restore,
      tombstonedTenantOf,
      purge,
      linkedBlocks,
      holderKinds,
    } as const
  }),
}) {}
