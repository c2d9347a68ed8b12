import { Cause, type Runtime } from "effect"
import type { GraphqlModule, Resolver } from "./GraphqlContext.js"

type Resolvers<R> = GraphqlModule<R>["resolvers"]

/**
 * A module's resolvers with its immediate fields tried first: each is prepared once with the runtime, and a
 * field it cannot answer (undefined) goes to the module's own resolver. A defect in an immediate answer is
 * reported and the full resolver answers instead, so memory can only ever save work, never change a result.
 */
export const withImmediate = <R>(
  module: GraphqlModule<R>,
  runtime: Runtime.Runtime<R>,
  onDefect: (cause: Cause.Cause<unknown>) => void,
): Resolvers<R> => {
  const immediate = module.immediate
  if (immediate === undefined) return module.resolvers
  const out: Record<string, Record<string, Resolver<R>>> = {}
  for (const root in module.resolvers) out[root] = { ...module.resolvers[root] }
  for (const root in immediate) {
    const fields = immediate[root] ?? {}
    for (const field in fields) {
      const full = module.resolvers[root]?.[field]
      const prepare = fields[field]
      const target = out[root]
      if (full === undefined || prepare === undefined || target === undefined) continue
      const fast = prepare(runtime)
      target[field] = (parent, args, ctx) => {
        let answer: unknown
        try {
          answer = fast(parent, args, ctx)
        } catch (defect) {
          onDefect(Cause.die(defect))
        }
        return answer === undefined ? full(parent, args, ctx) : answer
      }
    }
  }
  return out
}
