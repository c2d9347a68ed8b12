import { Schema } from "effect"
import { Conditions } from "../authz/Conditions.js"
import { GroupId, ObjectId, PermissionBlockId, TenantId } from "../authz/ids.js"
import { PolicyEffect } from "../authz/PolicyEffect.js"
import { ScopeMode } from "../authz/ScopeMode.js"
import type { Action } from "./Action.js"
import { ActionId } from "./ids.js"

/** A permission block as stored: scope, effect, conditions and its actions' ids (authz.md §1). */
export const PermissionBlock = Schema.Struct({
  id: PermissionBlockId,
  tenantId: Schema.NullOr(TenantId),
  scopeMode: ScopeMode,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(ObjectId),
  groupId: Schema.NullOr(GroupId),
  effect: PolicyEffect,
  conditions: Conditions,
  /** ordered by action name */
  actionIds: Schema.Array(ActionId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
})
export type PermissionBlock = typeof PermissionBlock.Type

/** A block with its actions resolved, as the API shows it. */
export interface PermissionBlockView extends PermissionBlock {
  readonly actions: ReadonlyArray<Action>
}
