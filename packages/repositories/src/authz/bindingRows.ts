import type { Statement } from "@effect/sql"

// One binding row's block part: the block joined as `pb` and one of its actions as `a`.
const blockPairs = `
  'blockId', pb.id, 'blockTenantId', pb.tenant_id, 'scopeMode', pb.scope_mode,
  'objectKind', pb.object_kind, 'objectType', pb.object_type, 'objectId', pb.object_id,
  'groupId', pb.group_id, 'effect', pb.effect, 'conditions', pb.conditions, 'action', a.name,
  'expiresAt', NULL`

/**
 * CTE fragment `bindings(b json)`: every direct policy and role assignment held by a row of the CTE
 * `holders(kind text, id uuid)` (kind `entity` or `group`), expanded to block × action as the JSON
 * objects `BindingJson` decodes. Tombstoned roles are kept and flagged: the engine drops them.
 */
export const bindingRowsOfHolders = (sql: Statement.Constructor) => sql`
  bindings AS (
    SELECT json_build_object(
      'source', 'direct_policy', 'bindingId', dp.id, 'tenantId', dp.tenant_id,
      'subjectKind', dp.subject_kind, 'subjectId', dp.subject_id,
      'roleId', NULL, 'roleName', NULL, 'roleDeleted', false, ${sql.literal(blockPairs)}) AS b
    FROM direct_policies dp
    JOIN holders ON holders.kind = dp.subject_kind AND holders.id = dp.subject_id
    JOIN permission_blocks pb ON pb.id = dp.permission_block_id
    JOIN permission_block_actions pba ON pba.permission_block_id = pb.id
    JOIN actions a ON a.id = pba.action_id
    UNION ALL
    SELECT json_build_object(
      'source', 'role_assignment', 'bindingId', ra.id, 'tenantId', ra.tenant_id,
      'subjectKind', ra.subject_kind, 'subjectId', ra.subject_id,
      'roleId', r.id, 'roleName', r.name, 'roleDeleted', r.deleted_at IS NOT NULL, ${sql.literal(blockPairs)})
    FROM role_assignments ra
    JOIN holders ON holders.kind = ra.subject_kind AND holders.id = ra.subject_id
    JOIN roles r ON r.id = ra.role_id
    JOIN role_permission_blocks rpb ON rpb.role_id = r.id
    JOIN permission_blocks pb ON pb.id = rpb.permission_block_id
    JOIN permission_block_actions pba ON pba.permission_block_id = pb.id
    JOIN actions a ON a.id = pba.action_id
  )`
