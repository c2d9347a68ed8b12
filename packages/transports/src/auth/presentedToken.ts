import type { IncomingHttpHeaders } from "node:http"
import { Forbidden, Unauthenticated } from "@atom/domain/errors"
import { Either } from "effect"

export interface PresentedToken {
  readonly token: string
  readonly source: "header" | "cookie"
}

const COOKIE = "atom_token"

const cookieValue = (header: string | undefined): string | undefined => {
  if (!header) return undefined
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq !== -1 && part.slice(0, eq).trim() === COOKIE) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

/**
 * The token a request carries (api.md §6.1): `Authorization: Bearer …` (exact prefix), else the
 * `atom_token` cookie. A present header that is not Bearer is refused; it hides the cookie.
 */
export const presentedToken = (
  headers: IncomingHttpHeaders,
  options: { readonly allowCookie: boolean },
): Either.Either<PresentedToken | undefined, Unauthenticated> => {
  const authorization = headers.authorization
  if (authorization !== undefined) {
    if (!/^[\x20-\x7e]*$/.test(authorization)) {
      return Either.left(new Unauthenticated({ message: "invalid Authorization header" }))
    }
    if (!authorization.startsWith("Bearer ")) {
      return Either.left(new Unauthenticated({ message: "Authorization header must use Bearer" }))
    }
    return Either.right({ token: authorization.slice(7).trim(), source: "header" })
  }
  if (!options.allowCookie) return Either.right(undefined)
  const cookie = cookieValue(headers.cookie)
  return Either.right(cookie ? { token: cookie, source: "cookie" } : undefined)
}

const originOf = (url: string): string | undefined => (URL.canParse(url) ? new URL(url).origin : undefined)

/** The cookie CSRF rule: Origin (or Referer's origin) must be an allowed origin, else `forbidden`. */
export const checkCookieOrigin = (
  headers: IncomingHttpHeaders,
  allowed: ReadonlyArray<string>,
): Either.Either<void, Forbidden> => {
  const origin =
    typeof headers.origin === "string"
      ? headers.origin.replace(/\/$/, "")
      : typeof headers.referer === "string"
        ? originOf(headers.referer)
        : undefined
  const ok = origin !== undefined && allowed.some((a) => a.replace(/\/$/, "") === origin)
  return ok ? Either.void : Either.left(new Forbidden({ reason: "cookie request from an untrusted origin" }))
}
