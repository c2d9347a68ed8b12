import type { EntityKind, EntityStatus } from "@atom/domain/authz"
import type { EntityFilter } from "@atom/domain/entities"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { ListingReach } from "../authz/listObjectCandidates.js"
import { decodeRows, execute } from "../db/decodeRows.js"
import { announceLocalChange } from "../db/localChanges.js"
import { uuidSet } from "../db/uuidSet.js"
import { ENTITY_COLUMNS, ENTITY_FROM, EntityRow } from "./EntityRow.js"
import { listedObjects, reachClause } from "./listedObjects.js"
import { deletedClause, likePattern, listableTenantClause, objectGroupClause } from "./sqlFilters.js"

/** Every column an entity write sets (patches are merged by the service first). */
export interface EntityValues {
  readonly kind: EntityKind
  readonly name: string
  readonly alias: string | null
  readonly tenantId: string | null
  readonly profileId: string | null
  readonly profileVersionId: string | null
  readonly status: EntityStatus
  readonly attributes: Readonly<Record<string, unknown>>
}

const Count = Schema.Struct({ total: Schema.Number })
const Changed = Schema.Struct({ id: Schema.String })

/** The entity aggregate: rows, lifecycle, listings. Tombstoned rows are returned; services decide. */
export class Entities extends Effect.Service<Entities>()("atom/Entities", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(EntityRow)
    const changed = decodeRows(Changed)
    const select = sql.unsafe(`SELECT ${ENTITY_COLUMNS} FROM ${ENTITY_FROM}`)

    const filterClause = (f: EntityFilter) => {
      const pattern = likePattern(f.q)
      return sql`${deletedClause(sql, "e.deleted_at", f.deleted)}
        AND (${pattern}::text IS NULL OR e.name ILIKE ${pattern}::text OR e.alias ILIKE ${pattern}::text
             OR e.attributes::text ILIKE ${pattern}::text)
        AND (${f.kind}::text IS NULL OR e.kind = ${f.kind}::text)
        AND (${f.profileId}::uuid IS NULL OR e.profile_id = ${f.profileId}::uuid)
        AND (${f.tenantId}::uuid IS NULL OR e.tenant_id = ${f.tenantId}::uuid)
        AND (${f.status}::text IS NULL OR e.status = ${f.status}::text)
        AND ${objectGroupClause(sql, "oge.group_id", f.parentGroupId, f.includeDescendants)}`
    }

    const byIds = (ids: ReadonlyArray<string>) =>
      rows(sql`${select} WHERE e.id IN ${uuidSet(sql, ids)}`).pipe(
        Effect.map((found) => ids.flatMap((id) => found.filter((e) => e.id === id))),
      )

    return {
      byId: (id: string) => rows(sql`${select} WHERE e.id = ${id}`).pipe(Effect.map((r) => r[0])),
      /** in the order asked */
      byIds,
      insert: (id: string, v: EntityValues) =>
        execute(
          sql`INSERT INTO entities (id, kind, name, alias, tenant_id, profile_id, profile_version_id, status, attributes)
              VALUES (${id}, ${v.kind}, ${v.name}, ${v.alias}, ${v.tenantId}, ${v.profileId}, ${v.profileVersionId},
                      ${v.status}, ${JSON.stringify(v.attributes)}::jsonb)`,
        ),
      /** Overwrites a live entity; false when it is missing or tombstoned. */
      update: (id: string, v: EntityValues) =>
        changed(
          sql`UPDATE entities SET kind = ${v.kind}, name = ${v.name}, alias = ${v.alias}, tenant_id = ${v.tenantId},
                profile_id = ${v.profileId}, profile_version_id = ${v.profileVersionId}, status = ${v.status},
                attributes = ${JSON.stringify(v.attributes)}::jsonb, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      setStatus: (id: string, status: EntityStatus) =>
        changed(
          sql`UPDATE entities SET status = ${status}, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      /** Soft delete: inactive plus the tombstone; false when already tombstoned or missing. */
      softDelete: (id: string, by: string) =>
        changed(
          sql`UPDATE entities SET status = 'inactive', deleted_at = now(), deleted_by = ${by}, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      /** Lifts the tombstone and reactivates; false when there is none. */
      restore: (id: string) =>
        changed(
          sql`UPDATE entities SET status = 'active', deleted_at = NULL, deleted_by = NULL, updated_at = now()
              WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      /** Hard delete of a tombstoned entity (credentials, sessions, emails, memberships cascade). */
      purge: (id: string) =>
        changed(sql`DELETE FROM entities WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`).pipe(
          Effect.map((r) => r.length > 0),
        ),
      /** Revokes every active credential (announced locally); certificates among them make the CRL dirty. */
      revokeCredentials: (id: string, reason: string) =>
        execute(
          sql`WITH revoked AS (
                UPDATE credentials SET status = 'revoked', revoked_at = now(), revocation_reason = ${reason},
                       updated_at = now()
                WHERE entity_id = ${id} AND status = 'active' RETURNING kind)
              UPDATE crl_state SET dirty = true, updated_at = now()
              WHERE EXISTS (SELECT 1 FROM revoked WHERE kind = 'certificate')`,
        ).pipe(Effect.zipLeft(Effect.provideService(announceLocalChange, SqlClient.SqlClient, sql))),
      /** The credentials of entities (a purge removes them by cascade). */
      credentialIds: (ids: ReadonlyArray<string>) =>
        changed(sql`SELECT id FROM credentials WHERE entity_id IN ${uuidSet(sql, ids)}`).pipe(
          Effect.map((r) => r.map((c) => c.id)),
        ),
      /** Tombstones the live emails with the entity's own tombstone instant, so restore can find them. */
      tombstoneEmails: (id: string) =>
        execute(
          sql`UPDATE entity_emails m SET deleted_at = e.deleted_at, updated_at = now()
              FROM entities e WHERE e.id = ${id} AND m.entity_id = e.id AND m.deleted_at IS NULL
                AND e.deleted_at IS NOT NULL`,
        ),
      /** Brings back the emails tombstoned with the entity (call before `restore`). */
      restoreEmails: (id: string) =>
        execute(
          sql`UPDATE entity_emails m SET deleted_at = NULL, updated_at = now()
              FROM entities e WHERE e.id = ${id} AND m.entity_id = e.id AND m.deleted_at = e.deleted_at`,
        ),
      count: (filter: EntityFilter) =>
        decodeRows(Count)(
          sql`SELECT count(*)::int AS total FROM ${sql.unsafe(ENTITY_FROM)} WHERE ${filterClause(filter)}`,
        ).pipe(Effect.map((r) => r[0]?.total ?? 0)),
      /** One page, newest first. */
      page: (filter: EntityFilter, limit: number, offset: number) =>
        rows(
          sql`${select} WHERE ${filterClause(filter)} ORDER BY e.created_at DESC, e.id DESC
              LIMIT ${limit} OFFSET ${offset}`,
        ),
      /** Live candidates of a read-filtered listing within a subject's reach, resolved for the engine. */
      listingCandidates: (filter: EntityFilter, reach: ListingReach) =>
        listedObjects(
          "entity",
          sql`SELECT e.id, e.created_at, e.tenant_id, e.kind AS sub_kind, oge.group_id AS container FROM ${sql.unsafe(ENTITY_FROM)}
              WHERE ${filterClause({ ...filter, deleted: "live" })}
                AND ${listableTenantClause(sql, "e.tenant_id")}
                AND ${reachClause(sql, reach, "e.id", "e.tenant_id")}`,
          reach,
        ).pipe(Effect.provideService(SqlClient.SqlClient, sql)),
      /** Live entities an owner owns, newest first. */
      ownedBy: (ownerId: string) =>
        rows(
          sql`${select} JOIN ownerships o ON o.owned_id = e.id
              WHERE o.owner_id = ${ownerId} AND e.deleted_at IS NULL ORDER BY e.created_at DESC, e.id DESC`,
        ),
      /** Live direct members of a principal group. */
      inPrincipalGroup: (groupId: string) =>
        rows(
          sql`${select} JOIN principal_group_members m ON m.entity_id = e.id
              WHERE m.group_id = ${groupId} AND e.deleted_at IS NULL ORDER BY e.created_at DESC, e.id DESC`,
        ),
      /** Live entities directly contained in an object group. */
      inObjectGroup: (groupId: string) =>
        rows(
          sql`${select} WHERE oge.group_id = ${groupId} AND e.deleted_at IS NULL ORDER BY e.created_at DESC, e.id DESC`,
        ),
    }
  }),
}) {}
