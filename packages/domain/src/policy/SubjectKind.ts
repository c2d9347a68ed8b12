import { Schema } from "effect"

/** Who a role assignment or direct policy is for: an entity or a principal group. */
export const SubjectKind = Schema.Literal("entity", "group")
export type SubjectKind = typeof SubjectKind.Type
