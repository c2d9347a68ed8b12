import {
  type DocumentNode,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql"
import { depthLimit } from "../depthLimit.js"

/** A stored document checked against a schema: runnable (with its AST) or its problems. */
export type CheckedDocument =
  | { readonly _tag: "Valid"; readonly document: DocumentNode }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }

const MAX_CACHED = 500
const caches = new WeakMap<GraphQLSchema, Map<string, CheckedDocument>>()

/**
 * Parses and validates a document as `/graphql` would (the schema, its depth limit, no introspection).
 * Results are kept per schema and text: a schema never changes while it serves, so neither does the verdict.
 */
export const checkDocument = (schema: GraphQLSchema, text: string, maxDepth: number): CheckedDocument => {
  let cache = caches.get(schema)
  if (cache === undefined) {
    cache = new Map()
    caches.set(schema, cache)
  }
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  let checked: CheckedDocument
  try {
    const document = parse(text)
    const errors = validate(schema, document, [
      ...specifiedRules,
      depthLimit(maxDepth),
      NoSchemaIntrospectionCustomRule,
    ])
    checked =
      errors.length === 0
        ? { _tag: "Valid", document }
        : { _tag: "Invalid", problems: errors.map((e) => e.message.replace(/ Did you mean .*$/, "")) }
  } catch (e) {
    checked = { _tag: "Invalid", problems: [e instanceof Error ? e.message : String(e)] }
  }
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(text, checked)
  return checked
}

/** The problems of a document, empty when it would run. */
export const documentProblems = (schema: GraphQLSchema, text: string, maxDepth: number): ReadonlyArray<string> => {
  const checked = checkDocument(schema, text, maxDepth)
  return checked._tag === "Valid" ? [] : checked.problems
}
