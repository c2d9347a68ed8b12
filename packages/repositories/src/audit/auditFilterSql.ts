import type { AuditCursor, AuditFilter, AuditScope } from "@atom/domain/audit"
import type { Statement } from "@effect/sql"
import { uuidSet } from "../db/uuidSet.js"

/** The WHERE clause of an audit read: the caller's scope, then each filter that is set. */
export const auditWhere = (
  sql: Statement.Constructor,
  filter: AuditFilter,
  scope: AuditScope,
  cursor: AuditCursor | null = null,
) => {
  const clauses: Array<Statement.Fragment> = []
  if (scope._tag === "Tenants") {
    clauses.push(sql`tenant_id IN ${uuidSet(sql, scope.tenantIds)}`)
  }
  if (filter.actorId !== null) clauses.push(sql`actor_id = ${filter.actorId}::uuid`)
  if (filter.tenantId !== null) clauses.push(sql`tenant_id = ${filter.tenantId}::uuid`)
  if (filter.targetKind !== null) clauses.push(sql`target_kind = ${filter.targetKind}`)
  if (filter.targetId !== null) clauses.push(sql`target_id = ${filter.targetId}::uuid`)
  if (filter.event !== null) clauses.push(sql`event = ${filter.event}`)
  if (filter.outcome !== null) clauses.push(sql`outcome = ${filter.outcome}`)
  if (filter.from !== null) clauses.push(sql`created_at >= ${filter.from}::timestamptz`)
  if (filter.to !== null) clauses.push(sql`created_at < ${filter.to}::timestamptz`)
  if (cursor !== null) clauses.push(sql`(created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`)
  return clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
}
