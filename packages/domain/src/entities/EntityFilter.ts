import type { EntityKind } from "../authz/EntityKind.js"
import type { EntityStatus } from "../authz/EntityStatus.js"
import type { DeletedFilter } from "../tenants/DeletedFilter.js"

/** The filters of the `entities` listing (api.md §3.5), already validated. */
export interface EntityFilter {
  /** case-insensitive substring of name, alias or the attributes' text */
  readonly q: string | null
  readonly kind: EntityKind | null
  readonly profileId: string | null
  readonly tenantId: string | null
  /** entities directly in this object group, or anywhere below it with `includeDescendants` */
  readonly parentGroupId: string | null
  readonly includeDescendants: boolean
  readonly status: EntityStatus | null
  readonly deleted: DeletedFilter
}
