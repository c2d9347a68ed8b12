import type { GuardrailBlock } from "./GuardrailAssignment.js"

/** An (action, object kind, object type) a block hands out. */
export interface GuardrailTarget {
  readonly action: string
  readonly objectKind: string
  readonly objectType: string | null
}

/**
 * What a block's scope looks like to guardrails (authz.md §3.4 step 2): platform → `platform`, tenant →
 * `tenant`, kind/type and group-object modes → the block's kind (and type for typed modes), group modes →
 * `group`, exact object → the target's real kind/type, else the pseudo-kind `object`.
 */
export const blockObject = (
  block: GuardrailBlock,
): { readonly objectKind: string; readonly objectType: string | null } => {
  switch (block.scopeMode) {
    case "platform":
      return { objectKind: "platform", objectType: null }
    case "tenant":
      return { objectKind: "tenant", objectType: null }
    case "object_kind":
      return { objectKind: block.objectKind ?? "object", objectType: null }
    case "object_type":
    case "group_direct_objects":
    case "group_descendant_objects":
      return { objectKind: block.objectKind ?? "object", objectType: block.objectType }
    case "group":
    case "group_child_groups":
    case "group_descendant_groups":
      return { objectKind: "group", objectType: null }
    case "object":
      return block.target === null
        ? { objectKind: "object", objectType: null }
        : { objectKind: block.target.kind, objectType: block.target.type }
  }
}

/**
 * Every (action, kind, type) of a block. A platform or tenant block covers every object, so each action is
 * judged on every kind (and type) it applies to, as a kind-wide block would be (authz.md §6.2 fixed: the
 * seeded device × manage × resource deny stops tenant-scope manage too); an action that applies nowhere
 * (gate-only, e.g. `authz.check`) keeps the scope's pseudo-kind. Other modes: one target per action.
 */
export const blockTargets = (block: GuardrailBlock): Array<GuardrailTarget> => {
  const object = blockObject(block)
  if (block.scopeMode !== "platform" && block.scopeMode !== "tenant") {
    return block.actions.map((action) => ({ action, ...object }))
  }
  return block.actions.flatMap((action) => {
    const covered = block.covers.filter((c) => c.action === action)
    return covered.length === 0
      ? [{ action, ...object }]
      : covered.map((c) => ({ action, objectKind: c.objectKind, objectType: c.objectType }))
  })
}
