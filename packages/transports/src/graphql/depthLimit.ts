import { GraphQLError, Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from "graphql"

/** Rejects operations nested deeper than `max` fields (fragments followed, cycles cut). */
export const depthLimit =
  (max: number): ValidationRule =>
  (context: ValidationContext) => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    )
    const depth = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!set) return 0
      let deepest = 0
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD)
          deepest = Math.max(deepest, sel.selectionSet ? 1 + depth(sel.selectionSet, seen) : 1)
        else if (sel.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depth(sel.selectionSet, seen))
        else if (!seen.has(sel.name.value)) {
          const frag = fragments.get(sel.name.value)
          if (frag) deepest = Math.max(deepest, depth(frag.selectionSet, new Set([...seen, sel.name.value])))
        }
      }
      return deepest
    }
    return {
      OperationDefinition(node) {
        if (depth(node.selectionSet, new Set()) > max) {
          context.reportError(new GraphQLError(`query is nested too deeply (max depth ${max})`, { nodes: [node] }))
        }
      },
    }
  }
