import { Context } from "effect"

/**
 * The served GraphQL schema, as the endpoint builder needs it at save time: the problems of a document
 * (parse errors, validation errors against the schema and its depth limit), empty when it would run.
 * Provided by the GraphQL transport, which owns the schema.
 */
export class GraphqlDocuments extends Context.Tag("atom/GraphqlDocuments")<
  GraphqlDocuments,
  { readonly problems: (document: string) => ReadonlyArray<string> }
>() {}
