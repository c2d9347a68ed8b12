import type { PageRequest } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { OrphanPolicyJson, PageRow } from "./policyJson.js"
import { decodeOne } from "./policySql.js"

/**
 * Bindings whose subject, role or block row no longer exists (authz.md §4 hygiene); tombstoned rows are
 * not orphans. Role and block references cascade in this schema, so subjects are what go missing.
 */
export class OrphanPolicies extends Effect.Service<OrphanPolicies>()("atom/OrphanPolicies", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const list = (page: PageRequest) =>
      sql`
        WITH orphaned AS (
          SELECT ra.id, ra.tenant_id, 'role_assignment' AS source_kind, ra.subject_kind, ra.subject_id,
                 ra.role_id, NULL::uuid AS permission_block_id, ra.created_at,
                 CASE WHEN (ra.subject_kind = 'entity' AND e.id IS NULL) OR (ra.subject_kind = 'group' AND g.id IS NULL)
                        THEN 'subject_not_found'
                      WHEN r.id IS NULL THEN 'role_not_found' END AS orphan_reason
          FROM role_assignments ra
          LEFT JOIN entities e ON ra.subject_kind = 'entity' AND e.id = ra.subject_id
          LEFT JOIN principal_groups g ON ra.subject_kind = 'group' AND g.id = ra.subject_id
          LEFT JOIN roles r ON r.id = ra.role_id
          UNION ALL
          SELECT dp.id, dp.tenant_id, 'direct_policy', dp.subject_kind, dp.subject_id,
                 NULL::uuid, dp.permission_block_id, dp.created_at,
                 CASE WHEN (dp.subject_kind = 'entity' AND e.id IS NULL) OR (dp.subject_kind = 'group' AND g.id IS NULL)
                        THEN 'subject_not_found'
                      WHEN pb.id IS NULL THEN 'permission_block_not_found' END
          FROM direct_policies dp
          LEFT JOIN entities e ON dp.subject_kind = 'entity' AND e.id = dp.subject_id
          LEFT JOIN principal_groups g ON dp.subject_kind = 'group' AND g.id = dp.subject_id
          LEFT JOIN permission_blocks pb ON pb.id = dp.permission_block_id
        ),
        filtered AS (SELECT * FROM orphaned WHERE orphan_reason IS NOT NULL),
        page AS (SELECT * FROM filtered ORDER BY created_at DESC, id LIMIT ${page.limit} OFFSET ${page.offset})
        SELECT (SELECT COALESCE(json_agg(json_build_object(
                  'id', o.id, 'tenantId', o.tenant_id, 'sourceKind', o.source_kind, 'subjectKind', o.subject_kind,
                  'subjectId', o.subject_id, 'roleId', o.role_id, 'permissionBlockId', o.permission_block_id,
                  'orphanReason', o.orphan_reason, 'createdAt', o.created_at) ORDER BY o.created_at DESC, o.id), '[]'::json)
                FROM page o)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(OrphanPolicyJson)), Effect.withSpan("OrphanPolicies.list"))
    return { list } as const
  }),
}) {}
