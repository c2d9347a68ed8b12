import { RpcMiddleware } from "@effect/rpc"
import { Context } from "effect"
import type { Caller } from "../identity/Caller.js"
import { AtomRpcError } from "./AtomRpcError.js"

/** The caller an RPC handler acts for, proven by the request's `authorization: Bearer` token. */
export class RpcCaller extends Context.Tag("atom/RpcCaller")<RpcCaller, Caller>() {}

/**
 * Authenticates every call of the group (session JWT or access token, as GraphQL does). The client
 * side adds the bearer header to each request, over HTTP and WebSocket alike.
 */
export class RpcAuthentication extends RpcMiddleware.Tag<RpcAuthentication>()("atom/RpcAuthentication", {
  provides: RpcCaller,
  failure: AtomRpcError,
  requiredForClient: true,
}) {}
