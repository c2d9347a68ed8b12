import type { IncomingMessage, ServerResponse } from "node:http"
import type { Cause, Runtime } from "effect"
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from "graphql"
import { createSchema, createYoga, type Plugin } from "graphql-yoga"
import { depthLimit } from "./depthLimit.js"
import type { GraphqlContext, GraphqlModule } from "./GraphqlContext.js"
import { makeRunner } from "./runEffect.js"

export interface YogaOptions<R> {
  readonly runtime: Runtime.Runtime<R>
  readonly modules: ReadonlyArray<GraphqlModule<R>>
  readonly introspection: boolean
  readonly maxDepth: number
  readonly onDefect: (cause: Cause.Cause<unknown>) => void
}

interface ServerContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
}

/** The contract's error shape carries no suggestions ("Did you mean …") and no extensions. */
const quietValidation: Plugin = {
  onValidate:
    () =>
    ({ result, setResult }) => {
      if (result.length === 0) return
      setResult(result.map((e) => Object.assign(e, { message: e.message.replace(/ Did you mean .*$/, "") })))
    },
}

const limits = (rules: ReadonlyArray<ValidationRule>): Plugin => ({
  onValidate: ({ addValidationRule }) => {
    for (const rule of rules) addValidationRule(rule)
  },
})

/** Errors go out as {message, locations?, path?} only, as the reference sends them. */
const plainErrors: Plugin = {
  onResultProcess: ({ result, setResult }) => {
    if (Array.isArray(result) || !("errors" in result) || !result.errors) return
    setResult({
      ...result,
      errors: result.errors.map(
        (e) =>
          new GraphQLError(e.message, {
            nodes: e.nodes ?? null,
            source: e.source ?? null,
            positions: e.positions ?? null,
            path: e.path ?? null,
            originalError: e.originalError ?? null,
          }),
      ),
    })
  },
}

export const makeYoga = <R>(options: YogaOptions<R>) => {
  const run = makeRunner(options.runtime, options.onDefect)
  const rules = [depthLimit(options.maxDepth), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])]
  const yoga = createYoga<ServerContext, GraphqlContext<R>>({
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: false,
    logging: false,
    batching: false,
    maskedErrors: false,
    schema: createSchema<GraphqlContext<R> & ServerContext>({
      typeDefs: options.modules.map((m) => m.typeDefs),
      resolvers: options.modules.map((m) => m.resolvers),
    }),
    plugins: [limits(rules), quietValidation, plainErrors],
    context: ({ req, request }) => ({
      requestId: String(req.headers["x-request-id"] ?? ""),
      clientIp: req.socket.remoteAddress ?? "",
      headers: req.headers,
      run,
      request,
    }),
  })
  return yoga
}
