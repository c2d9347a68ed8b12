import type { IncomingMessage } from "node:http"
import type { AuditRequestInfo } from "@atom/domain/audit"
import type { Cidr } from "@atom/domain/config"
import { withAuditRequest } from "@atom/services/audit"
import { Context, Effect, FiberRef, Option } from "effect"
import { clientAddress } from "../http/clientAddress.js"

/**
 * The audit facts of the HTTP request that carries a batch of NDJSON calls, handed by the node bridge to
 * the RPC app through the web handler's context.
 */
export class RpcRequestInfo extends Context.Tag("atom/RpcRequestInfo")<RpcRequestInfo, AuditRequestInfo>() {}

/** Client IP (behind trusted proxies), user agent and the given request id of a node request. */
export const requestInfoOf = (
  req: IncomingMessage,
  requestId: string,
  trustedProxyCidrs: ReadonlyArray<Cidr>,
): AuditRequestInfo => ({
  clientIp: clientAddress(req.socket.remoteAddress ?? "", req.headers, trustedProxyCidrs),
  userAgent: req.headers["user-agent"] ?? null,
  requestId,
})

/**
 * Runs an RPC app with its request's audit facts set on the fiber that receives the calls: the RpcServer
 * starts each call's fiber with that fiber's FiberRefs, so every call's audit events carry them.
 */
export const withRpcRequestInfo = <A, E, R>(app: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(RpcRequestInfo), (info) =>
    Option.isSome(info) ? withAuditRequest(info.value)(app) : app,
  )

/**
 * Admits one call of a WebSocket connection: seconds to wait when over the rate limit, else undefined. Set on
 * the connection's fiber (so on each call's); HTTP calls are admitted per request by the HTTP server instead.
 */
export const currentRpcCallAdmission: FiberRef.FiberRef<(() => number | undefined) | undefined> = FiberRef.unsafeMake<
  (() => number | undefined) | undefined
>(undefined)
