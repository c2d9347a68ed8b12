import { OAuthLogin } from "@atom/services/auth/oidc"
import { Effect, Schema } from "effect"
import { jsonBody } from "../jsonBody.js"
import { json, type Route } from "../Route.js"

const ExchangeBody = Schema.Struct({ code: Schema.String })

const redirect = (location: string) => ({ status: 307, headers: { location } })

/** OIDC sign-in (api.md §1.3 routes 17–19): start, the provider's callback, and the code exchange. */
export const oauthRoutes: ReadonlyArray<Route<OAuthLogin>> = [
  {
    method: "GET",
    path: "/auth/oauth/:provider/start",
    handler: (request) =>
      Effect.flatMap(OAuthLogin, (oauth) =>
        oauth.start(request.params.provider ?? "", request.query.get("return_to")).pipe(Effect.map(redirect)),
      ),
  },
  {
    method: "GET",
    path: "/auth/oauth/:provider/callback",
    handler: (request) =>
      Effect.flatMap(OAuthLogin, (oauth) =>
        oauth
          .callback({
            provider: request.params.provider ?? "",
            code: request.query.get("code"),
            state: request.query.get("state"),
            error: request.query.get("error"),
          })
          .pipe(Effect.map(redirect)),
      ),
  },
  {
    method: "POST",
    path: "/auth/oauth/exchange",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, ExchangeBody)
        const result = yield* Effect.flatMap(OAuthLogin, (oauth) => oauth.exchange(body.code))
        // the same body as a password login, without the cookie
        return json(200, {
          token: result.token,
          entity_id: result.entityId,
          session_id: result.sessionId,
          expires_at: result.expiresAt.toISOString(),
          email_verified: result.emailVerified,
        })
      }),
  },
]
