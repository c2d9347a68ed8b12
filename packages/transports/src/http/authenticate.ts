import { AtomConfig } from "@atom/domain/config"
import { Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { Authenticator, MISSING_AUTHENTICATION } from "@atom/services/auth"
import { Effect, Either } from "effect"
import { checkCookieOrigin, presentedToken } from "../auth/presentedToken.js"
import type { RouteRequest } from "./Route.js"

const SAFE = new Set(["GET", "HEAD", "OPTIONS"])

/** The REST caller (api.md §6.1): Bearer header or the cookie, with the CSRF origin rule for writes. */
export const restCaller = (request: RouteRequest) =>
  Effect.gen(function* () {
    const presented = presentedToken(request.headers, { allowCookie: true })
    if (Either.isLeft(presented)) return yield* presented.left
    if (!presented.right) return yield* new Unauthenticated({ message: MISSING_AUTHENTICATION })
    if (presented.right.source === "cookie" && !SAFE.has(request.method)) {
      const config = yield* AtomConfig
      const origin = checkCookieOrigin(request.headers, config.corsAllowedOrigins)
      if (Either.isLeft(origin)) return yield* origin.left
    }
    const authenticator = yield* Authenticator
    const caller: Caller = yield* authenticator.authenticate(presented.right.token)
    return { caller, token: presented.right }
  })
