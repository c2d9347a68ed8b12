import { RateLimited, Unauthenticated } from "@atom/domain/errors"
import { RpcAuthentication } from "@atom/domain/rpc"
import { Authenticator, MISSING_AUTHENTICATION } from "@atom/services/auth"
import { Effect, Either, FiberRef, Layer } from "effect"
import { presentedToken } from "../auth/presentedToken.js"
import { currentRpcCallAdmission } from "./rpcCallContext.js"
import { toRpcError } from "./toRpcError.js"

/**
 * The server side of `RpcAuthentication`: the `authorization: Bearer` header (session JWT or access
 * token) authenticated as GraphQL does; no cookie. No token → Atom's `missing authentication`.
 * It runs first for every call, so a WebSocket call is admitted by the rate limiter here (an HTTP request
 * already was, as a whole): over the limit the call fails as HTTP's 429 does and the socket stays open.
 */
export const RpcAuthenticationLive = Layer.effect(
  RpcAuthentication,
  Effect.map(Authenticator, (authenticator) =>
    RpcAuthentication.of(({ headers }) =>
      Effect.gen(function* () {
        const admit = yield* FiberRef.get(currentRpcCallAdmission)
        const wait = admit?.()
        if (wait !== undefined) return yield* new RateLimited({ message: "rate limit exceeded", retryAfterSecs: wait })
        const presented = presentedToken(headers, { allowCookie: false })
        if (Either.isLeft(presented)) return yield* presented.left
        if (!presented.right) return yield* new Unauthenticated({ message: MISSING_AUTHENTICATION })
        return yield* authenticator.authenticate(presented.right.token)
      }).pipe(Effect.mapError(toRpcError)),
    ),
  ),
)
