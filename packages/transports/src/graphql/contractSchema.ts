import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { buildASTSchema, type GraphQLSchema, isInputObjectType, Kind, parse } from "graphql"

/** The served contract: the reference's SDL (api.md Appendix A); areas add fields with `extend type`. */
export const CONTRACT_SDL = readFileSync(fileURLToPath(new URL("./contract.graphql", import.meta.url)), "utf8")

/** Root field names of the contract, to report the ones no area implements yet. */
export const contractRootFields = (extraTypeDefs: ReadonlyArray<string>): Record<"Query" | "Mutation", string[]> => {
  const schema = buildASTSchema(parse([CONTRACT_SDL, ...extraTypeDefs].join("\n")))
  return {
    Query: Object.keys(schema.getQueryType()?.getFields() ?? {}),
    Mutation: Object.keys(schema.getMutationType()?.getFields() ?? {}),
  }
}

/**
 * The contract declares `attributes: JSON! = null` (async-graphql's spelling of "optional, server-side
 * default"); graphql-js drops a null default on a non-null type, which would make the field required.
 * Restores the declared default, so omitting such a field is accepted and reads as null.
 */
export const withDeclaredNullDefaults = <S extends GraphQLSchema>(schema: S): S => {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInputObjectType(type)) continue
    for (const field of Object.values(type.getFields())) {
      if (field.defaultValue === undefined && field.astNode?.defaultValue?.kind === Kind.NULL) {
        field.defaultValue = null
      }
    }
  }
  return schema
}
