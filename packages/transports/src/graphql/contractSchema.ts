import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { buildASTSchema, parse } from "graphql"

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
