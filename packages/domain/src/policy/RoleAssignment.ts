import { Schema } from "effect"
import { BindingId, ObjectId, RoleId, TenantId } from "../authz/ids.js"
import type { RoleView } from "./Role.js"
import { SubjectKind } from "./SubjectKind.js"

/** A role granted to an entity or principal group, bounded to `tenantId` (null = unbounded). */
export const RoleAssignment = Schema.Struct({
  id: BindingId,
  tenantId: Schema.NullOr(TenantId),
  subjectKind: SubjectKind,
  subjectId: ObjectId,
  roleId: RoleId,
  createdAt: Schema.DateFromSelf,
})
export type RoleAssignment = typeof RoleAssignment.Type

export interface RoleAssignmentView extends RoleAssignment {
  readonly role: RoleView
}
