import type { Schema } from "effect"

/**
 * A GraphQL document with the Effect Schemas of its variables and of its `data`. The client checks every
 * answer against `data`; the arbitraries derive generated requests from `variables`. Both schemas are
 * wire shapes (their encoded and decoded forms are the same JSON).
 */
export interface TypedDocument<Data, Variables> {
  /** the operation name, as written in `query` */
  readonly name: string
  readonly query: string
  readonly data: Schema.Schema<Data>
  readonly variables: Schema.Schema<Variables>
}

export const typed = <Data, Variables>(
  name: string,
  query: string,
  data: Schema.Schema<Data>,
  variables: Schema.Schema<Variables>,
): TypedDocument<Data, Variables> => ({ name, query, data, variables })

/** The type of a document's `data`. */
export type DataOf<D> = D extends TypedDocument<infer Data, infer _V> ? Data : never
/** The type of a document's variables. */
export type VariablesOf<D> = D extends TypedDocument<infer _D, infer V> ? V : never
