import { type AuthzService, type CheckRequestFields, makeRememberedDecision } from "@atom/services/authz"
import type { Runtime } from "effect"
import type { GraphqlContext, Resolver } from "../GraphqlContext.js"

const optionalString = (value: unknown): boolean => value === undefined || value === null || typeof value === "string"

// a plain guard (no schema machinery): it runs on every warm call; anything else takes the decoding resolver
const isCheckInput = (input: unknown): input is CheckRequestFields =>
  typeof input === "object" &&
  input !== null &&
  "subjectId" in input &&
  typeof input.subjectId === "string" &&
  "action" in input &&
  typeof input.action === "string" &&
  optionalString("resourceId" in input ? input.resourceId : undefined) &&
  optionalString("objectKind" in input ? input.objectKind : undefined) &&
  optionalString("objectId" in input ? input.objectId : undefined)

const userAgentOf = (headers: GraphqlContext<unknown>["headers"]): string | undefined => {
  const sent = headers["user-agent"]
  return typeof sent === "string" ? sent : undefined
}

/**
 * `authzCheck` answered from memory (makeRememberedDecision, as the gRPC Check): the context's caller, a
 * well-formed input, every decision input cached at a confirmed revision; the decision is measured and
 * audited with the request's facts as the full check's would be. Undefined otherwise: the resolver runs.
 */
export const rememberedAuthzCheck = <R>(runtime: Runtime.Runtime<R | AuthzService>): Resolver<R> => {
  const decide = makeRememberedDecision(runtime)
  return (_parent, args, ctx) => {
    const caller = ctx.caller
    const input = args.input
    if (caller === undefined || !isCheckInput(input)) return undefined
    return decide(caller, input, "graphql", () => ({
      clientIp: ctx.clientIp,
      userAgent: userAgentOf(ctx.headers),
      requestId: ctx.requestId,
    }))
  }
}
