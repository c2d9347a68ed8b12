/** A GraphQL document that carries the types of its variables and of its `data` (phantom fields, never set). */
export interface TypedDocument<Data, Variables> {
  readonly query: string
  readonly __data?: Data
  readonly __variables?: Variables
}

export const typed = <Data, Variables>(query: string): TypedDocument<Data, Variables> => ({ query })
