import type { CreateDirectPolicyInput, DirectPolicyFilter } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DirectPolicyJson, PageRow } from "./policyJson.js"
import { decodeOne, decodeOptional, directPolicyObject } from "./policySql.js"

const One = Schema.Struct({ policy: Schema.parseJson(DirectPolicyJson) })

/** Direct policies: one permission block attached to an entity or principal group. */
export class DirectPolicies extends Effect.Service<DirectPolicies>()("atom/DirectPolicies", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const policy = directPolicyObject(sql)

    /** Policies on live subjects, newest first. */
    const list = (filter: DirectPolicyFilter) =>
      sql`
        WITH filtered AS (
          SELECT dp.* FROM direct_policies dp
          WHERE (${filter.tenantId}::uuid IS NULL OR dp.tenant_id = ${filter.tenantId}::uuid)
            AND (${filter.subjectKind}::text IS NULL OR dp.subject_kind = ${filter.subjectKind}::text)
            AND (${filter.subjectId}::uuid IS NULL OR dp.subject_id = ${filter.subjectId}::uuid)
            AND (${filter.permissionBlockId}::uuid IS NULL OR dp.permission_block_id = ${filter.permissionBlockId}::uuid)
            AND ((dp.subject_kind = 'entity'
                  AND EXISTS (SELECT 1 FROM entities e WHERE e.id = dp.subject_id AND e.deleted_at IS NULL))
                 OR (dp.subject_kind = 'group'
                  AND EXISTS (SELECT 1 FROM principal_groups g WHERE g.id = dp.subject_id AND g.deleted_at IS NULL)))
        ),
        page AS (SELECT * FROM filtered ORDER BY created_at DESC, id LIMIT ${filter.page.limit} OFFSET ${filter.page.offset})
        SELECT (SELECT COALESCE(json_agg(${policy} ORDER BY dp.created_at DESC, dp.id), '[]'::json) FROM page dp)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(DirectPolicyJson)), Effect.withSpan("DirectPolicies.list"))

    const byId = (id: string) =>
      sql`SELECT ${policy}::text AS policy FROM direct_policies dp WHERE dp.id = ${id}`.pipe(
        decodeOptional(One),
        Effect.map((r) => r?.policy),
      )

    const insert = (id: string, input: CreateDirectPolicyInput) =>
      sql`WITH ins AS (
            INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
            VALUES (${id}, ${input.tenantId}, ${input.subjectKind}, ${input.subjectId}, ${input.permissionBlockId})
            RETURNING *)
          SELECT ${policy}::text AS policy FROM ins dp`.pipe(
        decodeOne(One),
        Effect.map((r) => r.policy),
      )

    /** Deletes one policy (blocks targeting it go with it, by trigger); answers its block, or undefined. */
    const remove = (id: string) =>
      sql`DELETE FROM direct_policies WHERE id = ${id} RETURNING permission_block_id`.pipe(
        decodeOptional(Schema.Struct({ permissionBlockId: Schema.UUID })),
        Effect.map((r) => r?.permissionBlockId),
      )

    return { list, byId, insert, remove } as const
  }),
}) {}
