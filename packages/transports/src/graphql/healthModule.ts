import type { GraphqlModule } from "./GraphqlContext.js"

/** `health` answers "ok" without authentication (identity-certs §6.3). */
export const healthModule: GraphqlModule<never> = {
  typeDefs: "",
  resolvers: { Query: { health: () => "ok" } },
}
