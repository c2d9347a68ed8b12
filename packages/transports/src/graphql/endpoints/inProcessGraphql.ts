import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { withAuditRequest } from "@atom/services/audit"
import type { GraphqlOutcome, GraphqlRunner, RunnerRequest } from "@atom/services/endpoints"
import { type Cause, Effect, type Runtime } from "effect"
import { execute, type GraphQLSchema } from "graphql"
import type { GraphqlContext } from "../GraphqlContext.js"
import { makeRunner } from "../runEffect.js"
import { checkDocument } from "./documentProblems.js"

export interface InProcessOptions<R> {
  /** the schema `/graphql` serves (yoga's) */
  readonly schema: GraphQLSchema
  readonly runtime: Runtime.Runtime<R>
  readonly maxDepth: number
  readonly onDefect: (cause: Cause.Cause<unknown>) => void
}

/**
 * Runs stored endpoint documents through the served schema and its resolvers, on the shared runtime, with a
 * context built as `/graphql` builds it, but for a given caller: no HTTP hop, no second parse of a known text.
 */
export const inProcessGraphql = <R>(options: InProcessOptions<R>): GraphqlRunner["Type"] => {
  const run = makeRunner(options.runtime, options.onDefect)
  return {
    run: (text: string, variables: Readonly<Record<string, unknown>>, caller: Caller, request: RunnerRequest) =>
      Effect.promise(async (): Promise<GraphqlOutcome> => {
        const checked = checkDocument(options.schema, text, options.maxDepth)
        if (checked._tag === "Invalid") return { _tag: "Invalid", problems: checked.problems }
        const scoped = withAuditRequest({
          clientIp: request.clientIp,
          userAgent: request.userAgent,
          requestId: request.requestId,
        })
        const contextValue: GraphqlContext<R> = {
          requestId: request.requestId,
          clientIp: request.clientIp,
          headers: request.headers,
          caller,
          run: <A>(effect: Effect.Effect<A, AtomError, R>) => run(scoped(effect)),
        }
        const result = await execute({
          schema: options.schema,
          document: checked.document,
          variableValues: variables,
          contextValue,
        })
        return {
          _tag: "Executed",
          data: result.data ?? null,
          errors: (result.errors ?? []).map((e) => ({ message: e.message, ...(e.path ? { path: e.path } : {}) })),
        }
      }),
  }
}
