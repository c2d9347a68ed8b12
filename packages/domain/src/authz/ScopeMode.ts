import { Schema } from "effect"

/** What a permission block covers (authz.md §1, §2.6). */
export const ScopeMode = Schema.Literal(
  "platform",
  "tenant",
  "object_kind",
  "object_type",
  "object",
  "group",
  "group_direct_objects",
  "group_descendant_objects",
  "group_child_groups",
  "group_descendant_groups",
)
export type ScopeMode = typeof ScopeMode.Type
