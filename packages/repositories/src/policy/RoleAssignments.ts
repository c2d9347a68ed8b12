import type { CreateRoleAssignmentInput, RoleAssignmentFilter } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { PageRow, RoleAssignmentJson } from "./policyJson.js"
import { assignmentObject, decodeOne, decodeOptional } from "./policySql.js"

const One = Schema.Struct({ assignment: Schema.parseJson(RoleAssignmentJson) })

/** Role assignments: a role granted to an entity or principal group under a tenant boundary. */
export class RoleAssignments extends Effect.Service<RoleAssignments>()("atom/RoleAssignments", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const assignment = assignmentObject(sql)

    /** Assignments that still grant: live role, live subject (authz.md §5 scenarios 38–39); newest first. */
    const list = (filter: RoleAssignmentFilter) =>
      sql`
        WITH filtered AS (
          SELECT ra.* FROM role_assignments ra
          JOIN roles r ON r.id = ra.role_id AND r.deleted_at IS NULL
          WHERE (${filter.tenantId}::uuid IS NULL OR ra.tenant_id = ${filter.tenantId}::uuid)
            AND (${filter.subjectKind}::text IS NULL OR ra.subject_kind = ${filter.subjectKind}::text)
            AND (${filter.subjectId}::uuid IS NULL OR ra.subject_id = ${filter.subjectId}::uuid)
            AND (${filter.roleId}::uuid IS NULL OR ra.role_id = ${filter.roleId}::uuid)
            AND ((ra.subject_kind = 'entity'
                  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = ra.subject_id AND e.deleted_at IS NULL))
                 OR (ra.subject_kind = 'group'
                  AND EXISTS (SELECT 1 FROM principal_groups g WHERE g.id = ra.subject_id AND g.deleted_at IS NULL)))
        ),
        page AS (SELECT * FROM filtered ORDER BY created_at DESC, id LIMIT ${filter.page.limit} OFFSET ${filter.page.offset})
        SELECT (SELECT COALESCE(json_agg(${assignment} ORDER BY ra.created_at DESC, ra.id), '[]'::json) FROM page ra)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(RoleAssignmentJson)), Effect.withSpan("RoleAssignments.list"))

    const byId = (id: string) =>
      sql`SELECT ${assignment}::text AS assignment FROM role_assignments ra WHERE ra.id = ${id}`.pipe(
        decodeOptional(One),
        Effect.map((r) => r?.assignment),
      )

    const insert = (id: string, input: CreateRoleAssignmentInput) =>
      sql`WITH ins AS (
            INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
            VALUES (${id}, ${input.tenantId}, ${input.subjectKind}, ${input.subjectId}, ${input.roleId})
            RETURNING *)
          SELECT ${assignment}::text AS assignment FROM ins ra`.pipe(
        decodeOne(One),
        Effect.map((r) => r.assignment),
      )

    /** Deletes one assignment (blocks targeting it go with it, by trigger); false when missing. */
    const remove = (id: string) =>
      sql`DELETE FROM role_assignments WHERE id = ${id} RETURNING id`.pipe(
        decodeOptional(Schema.Struct({ id: Schema.UUID })),
        Effect.map((r) => r !== undefined),
      )

    return { list, byId, insert, remove } as const
  }),
}) {}
