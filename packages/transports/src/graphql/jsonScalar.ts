import { GraphQLScalarType, valueFromASTUntyped } from "graphql"

/** Free-form JSON values, passed through as they are (api.md §3.4). */
export const JsonScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
})
