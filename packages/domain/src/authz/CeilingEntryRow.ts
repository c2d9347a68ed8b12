import { Schema } from "effect"
import { ActionName } from "./ActionName.js"
import { BindingId, ObjectId, TenantId } from "./ids.js"
import { ScopeMode } from "./ScopeMode.js"

/** One (permission limit, action) of a scoped access token: an allow-only ceiling entry. */
export const CeilingEntryRow = Schema.Struct({
  limitId: BindingId,
  /** acts as boundary and as the tenant of `tenant` scope */
  tenantId: Schema.NullOr(TenantId),
  scopeMode: ScopeMode,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(ObjectId),
  conditions: Schema.Unknown,
  action: ActionName,
})
export type CeilingEntryRow = typeof CeilingEntryRow.Type
