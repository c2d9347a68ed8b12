import type { Caller } from "@atom/domain/identity"
import { Context, type Effect } from "effect"

/** Where a request came from, for the operation's audit events. */
export interface RunnerRequest {
  readonly requestId: string
  readonly clientIp: string
  readonly userAgent: string | undefined
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
}

export type GraphqlOutcome =
  /** the document no longer parses or validates against the served schema */
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }
  | {
      readonly _tag: "Executed"
      readonly data: unknown
      readonly errors: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<string | number> }>
    }

/**
 * Runs a GraphQL document in-process, through the same schema, resolvers and runtime as `/graphql`, as the
 * given caller. Provided by the GraphQL transport.
 */
export class GraphqlRunner extends Context.Tag("atom/GraphqlRunner")<
  GraphqlRunner,
  {
    readonly run: (
      document: string,
      variables: Readonly<Record<string, unknown>>,
      caller: Caller,
      request: RunnerRequest,
    ) => Effect.Effect<GraphqlOutcome>
  }
>() {}
