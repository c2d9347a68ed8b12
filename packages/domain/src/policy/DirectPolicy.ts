import { Schema } from "effect"
import { BindingId, ObjectId, PermissionBlockId, TenantId } from "../authz/ids.js"
import type { PermissionBlockView } from "./PermissionBlock.js"
import { SubjectKind } from "./SubjectKind.js"

/** One permission block attached to an entity or principal group, bounded to `tenantId`. */
export const DirectPolicy = Schema.Struct({
  id: BindingId,
  tenantId: Schema.NullOr(TenantId),
  subjectKind: SubjectKind,
  subjectId: ObjectId,
  permissionBlockId: PermissionBlockId,
  createdAt: Schema.DateFromSelf,
})
export type DirectPolicy = typeof DirectPolicy.Type

export interface DirectPolicyView extends DirectPolicy {
  readonly permissionBlock: PermissionBlockView
}
