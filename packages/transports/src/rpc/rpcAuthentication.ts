import { Unauthenticated } from "@atom/domain/errors"
import { RpcAuthentication } from "@atom/domain/rpc"
import { Authenticator, MISSING_AUTHENTICATION } from "@atom/services/auth"
import { Effect, Either, Layer } from "effect"
import { presentedToken } from "../auth/presentedToken.js"
import { toRpcError } from "./toRpcError.js"

/**
 * The server side of `RpcAuthentication`: the `authorization: Bearer` header (session JWT or access
 * token) authenticated as GraphQL does; no cookie. No token → Atom's `missing authentication`.
 */
export const RpcAuthenticationLive = Layer.effect(
  RpcAuthentication,
  Effect.map(Authenticator, (authenticator) =>
    RpcAuthentication.of(({ headers }) =>
      Effect.gen(function* () {
        const presented = presentedToken(headers, { allowCookie: false })
        if (Either.isLeft(presented)) return yield* presented.left
        if (!presented.right) return yield* new Unauthenticated({ message: MISSING_AUTHENTICATION })
        return yield* authenticator.authenticate(presented.right.token)
      }).pipe(Effect.mapError(toRpcError)),
    ),
  ),
)
