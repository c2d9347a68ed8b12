import type { IncomingMessage, ServerResponse } from "node:http"
import type { AuditRequestInfo } from "@atom/domain/audit"
import type { Cidr } from "@atom/domain/config"
import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { withAuditRequest } from "@atom/services/audit"
import { type Cause, Clock, Effect, Either, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from "graphql"
import { createSchema, createYoga, type Plugin } from "graphql-yoga"
import { checkCookieOrigin, presentedToken } from "../auth/presentedToken.js"
import { clientAddress } from "../http/clientAddress.js"
import { requestIdOf } from "../http/requestId.js"
import { requestRefs, tracingEnabled } from "../http/requestRefs.js"
import { CONTRACT_SDL, contractRootFields, withDeclaredNullDefaults } from "./contractSchema.js"
import { depthLimit } from "./depthLimit.js"
import type { GraphqlContext, GraphqlModule } from "./GraphqlContext.js"
import { withImmediate } from "./immediateResolvers.js"
import { JsonScalar } from "./jsonScalar.js"
import { makeRunner } from "./runEffect.js"

export interface YogaOptions<R> {
  readonly runtime: Runtime.Runtime<R>
  readonly modules: ReadonlyArray<GraphqlModule<R>>
  readonly introspection: boolean
  readonly maxDepth: number
  readonly onDefect: (cause: Cause.Cause<unknown>) => void
  /** Proves a presented token; a failure fails the whole request (api.md §3.2). */
  readonly authenticate: (token: string) => Effect.Effect<Caller, AtomError, R>
  /** The caller of a token `authenticate` has nothing left to do for (verified before, still current), else undefined. */
  readonly rememberedCaller?: (token: string) => Caller | undefined
  readonly corsAllowedOrigins: ReadonlyArray<string>
  /** Proxies whose X-Forwarded-For is believed for the client IP of audit events (as REST). */
  readonly trustedProxyCidrs?: ReadonlyArray<Cidr>
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
      // a request that fails before execution (bad token) still answers `data: null`
      data: "data" in result ? result.data : null,
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

/** Contract fields no area serves yet answer a clear error rather than a silent null. */
const notImplemented = <R>(extensions: ReadonlyArray<string>, modules: ReadonlyArray<GraphqlModule<R>>) => {
  const roots = contractRootFields(extensions)
  const out: Record<string, Record<string, () => never>> = {}
  for (const root of ["Query", "Mutation"] as const) {
    out[root] = {}
    for (const field of roots[root]) {
      if (modules.some((m) => m.resolvers[root]?.[field] !== undefined)) continue
      out[root][field] = () => {
        throw new GraphQLError(`${field} is not implemented yet`)
      }
    }
  }
  return out
}

export const makeYoga = <R>(options: YogaOptions<R>) => {
  const extensions = options.modules.map((m) => m.typeDefs).filter((t) => t.trim() !== "")
  const run = makeRunner(options.runtime, options.onDefect)
  const runSync = EffectRuntime.runSync(options.runtime)
  const rules = [depthLimit(options.maxDepth), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])]
  const tracing = tracingEnabled(options.runtime)
  type Run = <A>(effect: Effect.Effect<A, AtomError, R>) => A | Promise<A>
  // one server span per request when tracing is on: every resolver's work (services, SQL) nests under it
  const tracedRunner = (info: AuditRequestInfo, res: ServerResponse): Run => {
    const scoped = withAuditRequest(info)
    const span = runSync(
      scoped(
        Effect.makeSpan("POST /graphql", {
          kind: "server",
          attributes: { "http.route": "/graphql" },
          captureStackTrace: false,
        }),
      ),
    )
    res.once("close", () => {
      span.attribute("http.status_code", res.statusCode)
      runSync(Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span.end(now, Exit.void))))
    })
    return (effect) => run(scoped(Effect.withParentSpan(effect, span)))
  }
  // otherwise the request's facts are set on each fiber as it starts, with no span and no wrapping
  const untracedRunner = (info: AuditRequestInfo): Run => {
    const refs = requestRefs(info, false)
    return (effect) => run(effect, refs)
  }
  // answers from memory skip the Effect, so they are only taken when no span would record the work
  const rememberedCaller = tracing ? undefined : options.rememberedCaller
  const resolversOf = (m: GraphqlModule<R>) =>
    tracing ? m.resolvers : withImmediate(m, options.runtime, options.onDefect)
  const yoga = createYoga<ServerContext, GraphqlContext<R>>({
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: false,
    logging: false,
    batching: false,
    maskedErrors: false,
    // the HTTP server answers CORS for every route (api.md §1.1: allowed origins only), and /graphql reads its
    // body under ATOM_GRAPHQL_BODY_LIMIT_BYTES before yoga sees it: yoga's own CORS (any origin echoed)
    // and its second limit (a stream piped through a transform per request) would only add work
    cors: false,
    maxRequestBodySize: false,
    schema: withDeclaredNullDefaults(
      createSchema<GraphqlContext<R> & ServerContext>({
        typeDefs: [CONTRACT_SDL, ...extensions],
        resolvers: [
          { JSON: JsonScalar },
          notImplemented(extensions, options.modules),
          ...options.modules.map(resolversOf),
        ],
      }),
    ),
    plugins: [limits(rules), quietValidation, plainErrors],
    // a remembered token's context is made at once (no fiber, no promise); any other token is authenticated
    context: ({ req, res, request }) => {
      const requestId = requestIdOf(req, res)
      const clientIp = clientAddress(req.socket.remoteAddress ?? "", req.headers, options.trustedProxyCidrs ?? [])
      const info = { clientIp, userAgent: req.headers["user-agent"], requestId }
      const runScoped = tracing ? tracedRunner(info, res) : untracedRunner(info)
      const presented = presentedToken(req.headers, { allowCookie: true })
      if (Either.isLeft(presented)) throw new GraphQLError(presented.left.message)
      if (
        presented.right?.source === "cookie" &&
        Either.isLeft(checkCookieOrigin(req.headers, options.corsAllowedOrigins))
      ) {
        throw new GraphQLError("forbidden")
      }
      const withCaller = (caller: Caller | undefined) => ({
        requestId,
        clientIp,
        headers: req.headers,
        caller,
        run: runScoped,
        request,
      })
      if (presented.right === undefined) return withCaller(undefined)
      const token = presented.right.token
      const known = rememberedCaller?.(token)
      if (known !== undefined) return withCaller(known)
      const caller = runScoped(options.authenticate(token))
      return caller instanceof Promise ? caller.then(withCaller) : withCaller(caller)
    },
  })
  return yoga
}
