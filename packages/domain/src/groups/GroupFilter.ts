import type { EntityStatus } from "../authz/EntityStatus.js"
import type { DeletedFilter } from "../tenants/DeletedFilter.js"
import type { GroupType } from "./GroupType.js"

/** The filters of `groups`, `objectGroups`, `principalGroups` and `childGroups`, already validated. */
export interface GroupFilter {
  /** case-insensitive substring of the name or description */
  readonly q: string | null
  readonly tenantId: string | null
  /** direct children of this group */
  readonly parentId: string | null
  readonly status: EntityStatus | null
  /** null = both tables */
  readonly groupType: GroupType | null
  readonly deleted: DeletedFilter
}
