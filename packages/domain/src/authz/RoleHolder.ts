import { Schema } from "effect"
import { BindingId, TenantId } from "./ids.js"

/** One assignment of a role to a live entity or principal group (the `roleHolders` inspection). */
export const RoleHolder = Schema.Struct({
  assignmentId: BindingId,
  tenantId: Schema.NullOr(TenantId),
  subjectKind: Schema.Literal("entity", "group"),
  subjectId: Schema.UUID,
  subjectName: Schema.String,
  /** direct members of a principal group; null for entities */
  memberCount: Schema.NullOr(Schema.Int),
})
export type RoleHolder = typeof RoleHolder.Type
