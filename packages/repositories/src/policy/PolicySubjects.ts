import { EntityKind, EntityStatus } from "@atom/domain/authz"
import type { SubjectKind } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { decodeOptional } from "./policySql.js"

const EntitySubject = Schema.Struct({
  kind: EntityKind,
  tenantId: Schema.NullOr(Schema.UUID),
  status: EntityStatus,
  deleted: Schema.Boolean,
  /** an active membership in the boundary tenant asked about */
  activeMember: Schema.Boolean,
})
export type EntitySubject = typeof EntitySubject.Type

const GroupSubject = Schema.Struct({
  tenantId: Schema.NullOr(Schema.UUID),
  status: EntityStatus,
  deleted: Schema.Boolean,
})
export type GroupSubject = typeof GroupSubject.Type

/** The subjects of assignments and policies, and the tenants around them, read under row locks. */
export class PolicySubjects extends Effect.Service<PolicySubjects>()("atom/PolicySubjects", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** An entity (locked against status changes for the transaction) and its membership in `boundary`. */
    const entity = (id: string, boundary: string | null) =>
      sql`SELECT e.kind, e.tenant_id, e.status, (e.deleted_at IS NOT NULL) AS deleted,
                 EXISTS (SELECT 1 FROM tenant_memberships m
                         WHERE m.tenant_id = ${boundary}::uuid AND m.entity_id = e.id AND m.status = 'active') AS active_member
          FROM entities e WHERE e.id = ${id} FOR SHARE OF e`.pipe(decodeOptional(EntitySubject))

    /** A principal group, locked likewise. */
    const principalGroup = (id: string) =>
      sql`SELECT tenant_id, status, (deleted_at IS NOT NULL) AS deleted
          FROM principal_groups WHERE id = ${id} FOR SHARE`.pipe(decodeOptional(GroupSubject))

    /** Which of `ids` are active, live tenants; those are locked against lifecycle changes. */
    const lockActiveTenants = (ids: ReadonlyArray<string>) =>
      (ids.length === 0
        ? Effect.succeed([])
        : decodeRows(Schema.Struct({ id: Schema.UUID }))(
            sql`SELECT id FROM tenants WHERE id IN ${uuidSet(sql, ids)} AND status = 'active' AND deleted_at IS NULL
                FOR SHARE`,
          ).pipe(Effect.map((rows) => rows.map((r) => r.id)))
      ).pipe(Effect.withSpan("PolicySubjects.lockActiveTenants"))

    /**
     * The distinct kinds of live entities a subject reaches (authz.md §3.4 step 1): an entity its own kind;
     * a principal group the members of itself and of every descendant group.
     */
    const entityKinds = (kind: SubjectKind, id: string) =>
      decodeRows(Schema.Struct({ kind: EntityKind }))(
        kind === "entity"
          ? sql`SELECT kind FROM entities WHERE id = ${id}`
          : sql`
            WITH RECURSIVE down AS (
              SELECT ${id}::uuid AS id
              UNION
              SELECT h.child_id FROM principal_group_hierarchy h JOIN down ON h.parent_id = down.id
            )
            SELECT DISTINCT e.kind FROM principal_group_members m
            JOIN entities e ON e.id = m.entity_id AND e.deleted_at IS NULL
            WHERE m.group_id IN (SELECT id FROM down)`,
      ).pipe(
        Effect.map((rows) => rows.map((r) => r.kind)),
        Effect.withSpan("PolicySubjects.entityKinds"),
      )

    return { entity, principalGroup, lockActiveTenants, entityKinds } as const
  }),
}) {}
