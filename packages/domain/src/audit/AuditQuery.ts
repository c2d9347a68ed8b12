import type { AuditOutcome } from "./AuditOutcome.js"

/** Filters of `auditLogs` (api.md §3.5), validated: ids are UUIDs, bounds are instants. */
export interface AuditFilter {
  readonly actorId: string | null
  readonly tenantId: string | null
  readonly targetKind: string | null
  readonly targetId: string | null
  readonly event: string | null
  readonly outcome: AuditOutcome | null
  /** inclusive, as an RFC 3339 timestamp with microseconds (Postgres precision) */
  readonly from: string | null
  /** exclusive, likewise */
  readonly to: string | null
}

/**
 * Which rows a caller may read (identity-certs §4): all, or only rows of these tenants (platform rows,
 * with no tenant, are then hidden).
 */
export type AuditScope =
  | { readonly _tag: "All" }
  | { readonly _tag: "Tenants"; readonly tenantIds: ReadonlyArray<string> }

/** Keyset position for streaming newest first: the last row sent. */
export interface AuditCursor {
  /** the row's created_at exactly as Postgres prints it (microseconds and offset), not a rounded Date */
  readonly createdAt: string
  readonly id: string
}
