import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { requireCaller } from "@atom/services/auth"
import { ApiEndpointService, GraphqlDocuments } from "@atom/services/endpoints"
import { Effect, type Schema } from "effect"
import type { GraphQLResolveInfo } from "graphql"
import type { GraphqlContext, GraphqlModule } from "../GraphqlContext.js"
import { decodeFieldArgs } from "../tenants/decodeFieldArgs.js"
import { pageOf } from "../tenants/PageArgs.js"
import { documentProblems } from "./documentProblems.js"
import { encodeEndpoint, encodeExecution } from "./encodeEndpoint.js"
import { CreateArgs, ExecutionsArgs, IdArgs, ListArgs, UpdateArgs } from "./endpointArgs.js"

/** Beyond the contract: whether a stored document still validates against the served schema. */
const typeDefs = `
extend type ApiEndpoint {
  "false when the stored GraphQL no longer parses or validates against the served schema"
  graphqlValid: Boolean!
  "why the stored GraphQL would not run (empty when graphqlValid)"
  graphqlProblems: [String!]!
}
`

type Services = ApiEndpointService

const graphqlOf = (parent: unknown): string =>
  typeof parent === "object" && parent !== null && "graphql" in parent && typeof parent.graphql === "string"
    ? parent.graphql
    : ""

/**
 * apiEndpoints, apiEndpoint, apiEndpointExecutions and the four mutations (api.md §3.5). Saving checks
 * the stored document against the schema that is executing the request (`info.schema`): the served one.
 */
export const endpointsModule = (options: { readonly maxDepth: number }): GraphqlModule<Services> => {
  const problems = (info: GraphQLResolveInfo | undefined, text: string): ReadonlyArray<string> =>
    info === undefined ? ["schema unavailable"] : documentProblems(info.schema, text, options.maxDepth)

  const field =
    <A, I, B>(
      schema: Schema.Schema<A, I>,
      handle: (caller: Caller, args: A) => Effect.Effect<B, AtomError, Services | GraphqlDocuments>,
    ) =>
    (_: unknown, args: Record<string, unknown>, ctx: GraphqlContext<Services>, info?: GraphQLResolveInfo) =>
      ctx.run(
        Effect.gen(function* () {
          const caller = yield* requireCaller(ctx.caller)
          const decoded = yield* decodeFieldArgs(schema, args)
          return yield* handle(caller, decoded)
        }).pipe(Effect.provideService(GraphqlDocuments, { problems: (text) => problems(info, text) })),
      )

  return {
    typeDefs,
    resolvers: {
      Query: {
        apiEndpoints: field(ListArgs, (caller, a) =>
          Effect.flatMap(ApiEndpointService, (s) =>
            Effect.map(s.list(caller, { tenantId: a.tenantId, status: a.status }, pageOf(a)), (p) => ({
              items: p.items.map(encodeEndpoint),
              total: p.total,
            })),
          ),
        ),
        apiEndpoint: field(IdArgs, (caller, a) =>
          Effect.flatMap(ApiEndpointService, (s) => Effect.map(s.get(caller, a.id), encodeEndpoint)),
        ),
        apiEndpointExecutions: field(ExecutionsArgs, (caller, a) =>
          Effect.flatMap(ApiEndpointService, (s) =>
            Effect.map(s.executions(caller, a.endpointId, pageOf(a)), (p) => ({
              items: p.items.map(encodeExecution),
              total: p.total,
            })),
          ),
        ),
      },
      Mutation: {
        createApiEndpoint: field(CreateArgs, (caller, { input }) =>
          Effect.flatMap(ApiEndpointService, (s) => Effect.map(s.create(caller, input), encodeEndpoint)),
        ),
        updateApiEndpoint: field(UpdateArgs, (caller, { id, input }) =>
          Effect.flatMap(ApiEndpointService, (s) => Effect.map(s.update(caller, id, input), encodeEndpoint)),
        ),
        enableApiEndpoint: field(IdArgs, (caller, a) =>
          Effect.flatMap(ApiEndpointService, (s) => Effect.map(s.enable(caller, a.id), encodeEndpoint)),
        ),
        disableApiEndpoint: field(IdArgs, (caller, a) =>
          Effect.flatMap(ApiEndpointService, (s) => Effect.map(s.disable(caller, a.id), encodeEndpoint)),
        ),
      },
      ApiEndpoint: {
        graphqlValid: (parent, _args, _ctx, info?: GraphQLResolveInfo) =>
          problems(info, graphqlOf(parent)).length === 0,
        graphqlProblems: (parent, _args, _ctx, info?: GraphQLResolveInfo) => problems(info, graphqlOf(parent)),
      },
    },
  }
}
