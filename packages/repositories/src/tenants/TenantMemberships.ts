import { EntityKind, EntityStatus } from "@atom/domain/authz"
import type { Paging } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { CountRow, likePattern, MEMBER_COLUMNS, TenantMemberRow } from "./rows.js"

const SubjectRow = Schema.Struct({ id: Schema.String, kind: EntityKind, status: EntityStatus })

/** Tenant memberships, the member listings, and the role assignments membership writes create. */
export class TenantMemberships extends Effect.Service<TenantMemberships>()("atom/TenantMemberships", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const members = decodeRows(TenantMemberRow)
    const count = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
      decodeRows(CountRow)(statement).pipe(Effect.map((r) => r[0]?.total ?? 0))

    // name, alias, or an email (login address or attributes.email)
    const matches = (q: string | null) =>
      q === null
        ? sql`TRUE`
        : sql`(e.name ILIKE ${likePattern(q)} OR e.alias ILIKE ${likePattern(q)}
               OR e.attributes->>'email' ILIKE ${likePattern(q)}
               OR EXISTS (SELECT 1 FROM entity_emails m WHERE m.entity_id = e.id AND m.deleted_at IS NULL
                          AND m.email ILIKE ${likePattern(q)}))`
    const activeMemberOf = (tenantId: string) =>
      sql`EXISTS (SELECT 1 FROM tenant_memberships tm
                  WHERE tm.tenant_id = ${tenantId} AND tm.entity_id = e.id AND tm.status = 'active')`
    const isMember = (tenantId: string, q: string | null) =>
      sql`e.kind = 'human' AND e.deleted_at IS NULL AND ${activeMemberOf(tenantId)} AND ${matches(q)}`
    const isAssignable = (tenantId: string, q: string) =>
      sql`e.kind = 'human' AND e.status = 'active' AND e.deleted_at IS NULL AND NOT ${activeMemberOf(tenantId)}
          AND ${matches(q)}`
    const columns = sql.unsafe(MEMBER_COLUMNS)
    const from = sql`entities e LEFT JOIN object_group_entities oge ON oge.entity_id = e.id`

    return {
      /** The live entity, with what a membership write checks of it. */
      liveSubject: (entityId: string) =>
        decodeRows(SubjectRow)(
          sql`SELECT id, kind, status FROM entities WHERE id = ${entityId} AND deleted_at IS NULL`,
        ).pipe(Effect.map((r) => r[0])),

      /** Live humans with an active membership. */
      members: (tenantId: string, q: string | null, page: Paging) =>
        members(
          sql`SELECT ${columns} FROM ${from} WHERE ${isMember(tenantId, q)}
              ORDER BY e.name, e.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      countMembers: (tenantId: string, q: string | null) =>
        count(sql`SELECT count(*)::int AS total FROM entities e WHERE ${isMember(tenantId, q)}`),

      /** Active live humans not (actively) members yet. */
      assignable: (tenantId: string, q: string, page: Paging) =>
        members(
          sql`SELECT ${columns} FROM ${from} WHERE ${isAssignable(tenantId, q)}
              ORDER BY e.name, e.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      countAssignable: (tenantId: string, q: string) =>
        count(sql`SELECT count(*)::int AS total FROM entities e WHERE ${isAssignable(tenantId, q)}`),

      /** Inserts or reactivates the membership. */
      upsertActive: (tenantId: string, entityId: string) =>
        execute(
          sql`INSERT INTO tenant_memberships (tenant_id, entity_id, status) VALUES (${tenantId}, ${entityId}, 'active')
              ON CONFLICT (tenant_id, entity_id) DO UPDATE SET status = 'active', updated_at = now()`,
        ),

      /** The same, only when the entity is a live human (the creator of a tenant). */
      upsertActiveIfHuman: (tenantId: string, entityId: string) =>
        execute(
          sql`INSERT INTO tenant_memberships (tenant_id, entity_id, status)
              SELECT ${tenantId}, e.id, 'active' FROM entities e
              WHERE e.id = ${entityId} AND e.kind = 'human' AND e.deleted_at IS NULL
              ON CONFLICT (tenant_id, entity_id) DO UPDATE SET status = 'active', updated_at = now()`,
        ),

      /** True when a live role of exactly this tenant exists. */
      roleOfTenant: (roleId: string, tenantId: string) =>
        count(
          sql`SELECT count(*)::int AS total FROM roles
              WHERE id = ${roleId} AND tenant_id = ${tenantId} AND deleted_at IS NULL`,
        ).pipe(Effect.map((n) => n > 0)),

      /** Assigns the role to the entity bounded to the tenant, unless that assignment exists. */
      ensureAssignment: (row: { id: string; tenantId: string; entityId: string; roleId: string }) =>
        execute(
          sql`INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
              SELECT ${row.id}, ${row.tenantId}, 'entity', ${row.entityId}, ${row.roleId}
              WHERE NOT EXISTS (SELECT 1 FROM role_assignments
                                WHERE tenant_id = ${row.tenantId} AND subject_kind = 'entity'
                                  AND subject_id = ${row.entityId} AND role_id = ${row.roleId})`,
        ),

      /** removeTenantMember, step 1: the entity's memberships in the tenant's principal groups. */
      deleteGroupMemberships: (tenantId: string, entityId: string) =>
        count(
          sql`WITH d AS (DELETE FROM principal_group_members m USING principal_groups g
                         WHERE g.id = m.group_id AND g.tenant_id = ${tenantId} AND m.entity_id = ${entityId}
                         RETURNING 1)
              SELECT count(*)::int AS total FROM d`,
        ),
      /** Step 2: its role assignments bounded to the tenant (direct policies stay). */
      deleteTenantAssignments: (tenantId: string, entityId: string) =>
        count(
          sql`WITH d AS (DELETE FROM role_assignments
                         WHERE tenant_id = ${tenantId} AND subject_kind = 'entity' AND subject_id = ${entityId}
                         RETURNING 1)
              SELECT count(*)::int AS total FROM d`,
        ),
      /** Step 3: the membership. */
      deleteMembership: (tenantId: string, entityId: string) =>
        count(
          sql`WITH d AS (DELETE FROM tenant_memberships WHERE tenant_id = ${tenantId} AND entity_id = ${entityId}
                         RETURNING 1)
              SELECT count(*)::int AS total FROM d`,
        ),
    }
  }),
}) {}
