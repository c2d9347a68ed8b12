import type { DeletedFilter } from "@atom/domain/tenants"
import type { Statement } from "@effect/sql"

/** An ILIKE pattern matching `q` literally anywhere; null when there is no query. */
export const likePattern = (q: string | null): string | null =>
  q === null ? null : `%${q.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`

/** The soft-delete filter on a `deleted_at` column (a fixed column name, never input). */
export const deletedClause = (sql: Statement.Constructor, column: string, deleted: DeletedFilter) =>
  deleted === "all" ? sql`TRUE` : sql.unsafe(deleted === "live" ? `${column} IS NULL` : `${column} IS NOT NULL`)

/**
 * Containment in an object group: `column` (a fixed column name) is the group itself, or with
 * `includeDescendants` any group below it. UNION makes the walk cycle-safe.
 */
export const objectGroupClause = (
  sql: Statement.Constructor,
  column: string,
  parentGroupId: string | null,
  includeDescendants: boolean,
) => {
  if (parentGroupId === null) return sql`TRUE`
  if (!includeDescendants) return sql`${sql.unsafe(column)} = ${parentGroupId}::uuid`
  return sql`${sql.unsafe(column)} IN (
    WITH RECURSIVE subtree(id) AS (
      SELECT ${parentGroupId}::uuid
      UNION
      SELECT h.child_id FROM object_group_hierarchy h JOIN subtree s ON h.parent_id = s.id
    )
    SELECT id FROM subtree)`
}

/** Objects a listing may show at all: global, or in an active live tenant (authz.md §4). */
export const listableTenantClause = (sql: Statement.Constructor, tenantColumn: string) =>
  sql.unsafe(`(${tenantColumn} IS NULL OR EXISTS (
    SELECT 1 FROM tenants lt WHERE lt.id = ${tenantColumn} AND lt.status = 'active' AND lt.deleted_at IS NULL))`)
