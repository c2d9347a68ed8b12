import type { JsonObject } from "../authz/JsonObject.js"
import type { DeletedFilter } from "../tenants/DeletedFilter.js"

/** The filters of the `resources` listing (api.md §3.5), already validated. */
export interface ResourceFilter {
  /** case-insensitive substring of name, alias or the attributes' text */
  readonly q: string | null
  readonly kind: string | null
  readonly tenantId: string | null
  /** attributes must contain this JSON object (jsonb `@>`) */
  readonly attributesContains: JsonObject | null
  readonly parentGroupId: string | null
  readonly includeDescendants: boolean
  readonly deleted: DeletedFilter
}
