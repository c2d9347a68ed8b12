import { AtomConfig } from "@atom/domain/config"
import { type Authenticator, KeyRing, Login, SessionService } from "@atom/services/auth"
import { anyOf, Gate, Platform } from "@atom/services/authz"
import { Effect, Redacted, Schema } from "effect"
import { restCaller } from "../authenticate.js"
import { plain } from "../HttpReject.js"
import { jsonBody } from "../jsonBody.js"
import { json, type Route } from "../Route.js"

const LoginBody = Schema.Struct({
  identifier: Schema.String,
  secret: Schema.String,
  tenant_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  tenant_alias: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  kind: Schema.optionalWith(Schema.Literal("password", "shared_key", "access_token", "certificate"), {
    default: () => "password" as const,
  }),
})

/** Timestamps on REST are RFC 3339 UTC with `Z` (api.md §1.1). */
const rest = (d: Date | null) => (d === null ? null : d.toISOString())

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const cookie = (config: AtomConfig["Type"], value: string, maxAge: number) =>
  [
    `atom_token=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAge}`,
    ...(config.cookie.domain._tag === "Some" ? [`Domain=${config.cookie.domain.value}`] : []),
    ...(config.cookie.secure ? ["Secure"] : []),
  ].join("; ")

// the Rust debug spelling the reference answers with
const KIND_DEBUG = { access_token: "AccessToken", certificate: "Certificate" } as const

export const authRoutes: ReadonlyArray<Route<AtomConfig | Login | KeyRing | SessionService | Gate | Authenticator>> = [
  {
    method: "GET",
    path: "/.well-known/jwks.json",
    handler: () => Effect.map(KeyRing, (keys) => json(200, keys.jwks())),
  },
  {
    method: "POST",
    path: "/auth/login",
    handler: (request) =>
      Effect.gen(function* () {
        const body = yield* jsonBody(request, LoginBody)
        if (body.kind === "access_token" || body.kind === "certificate") {
          return json(400, { error: `unsupported credential kind: ${KIND_DEBUG[body.kind]}` })
        }
        const config = yield* AtomConfig
        const login = yield* Login
        const result = yield* login.login({
          identifier: body.identifier,
          secret: Redacted.make(body.secret),
          tenantId: body.tenant_id,
          tenantAlias: body.tenant_alias,
          kind: body.kind,
        })
        const maxAge = Math.max(0, Math.floor((result.expiresAt.getTime() - Date.now()) / 1000))
        return json(
          200,
          {
            token: result.token,
            entity_id: result.entityId,
            session_id: result.sessionId,
            expires_at: rest(result.expiresAt),
            ...(result.emailVerified === undefined ? {} : { email_verified: result.emailVerified }),
            ...(result.verificationRequired ? { verification_required: true } : {}),
          },
          { "set-cookie": cookie(config, result.token, maxAge) },
        )
      }),
  },
  {
    method: "POST",
    path: "/auth/logout",
    handler: (request) =>
      Effect.gen(function* () {
        const { caller } = yield* restCaller(request)
        const config = yield* AtomConfig
        yield* Effect.flatMap(SessionService, (s) => s.logout(caller))
        return json(200, { authenticated: false }, { "set-cookie": cookie(config, "", 0) })
      }),
  },
  {
    method: "GET",
    path: "/auth/introspect",
    handler: (request) =>
      Effect.map(restCaller(request), ({ caller }) =>
        json(200, {
          active: true,
          entity_id: caller.entityId,
          tenant_id: caller.tenantId,
          session_id: caller.sessionId,
        }),
      ),
  },
  {
    method: "GET",
    path: "/auth/session",
    handler: (request) =>
      Effect.map(restCaller(request), ({ caller }) =>
        json(200, {
          authenticated: true,
          session: {
            entityId: caller.entityId,
            tenantId: caller.tenantId,
            sessionId: caller.sessionId,
            expiresAt: caller.sessionId ? rest(caller.expiresAt) : null,
          },
        }),
      ),
  },
  {
    method: "GET",
    path: "/auth/sessions/:id",
    handler: (request) =>
      Effect.gen(function* () {
        const id = request.params.id ?? ""
        if (!UUID.test(id)) return yield* plain(400, "Invalid URL: UUID parsing failed")
        const { caller } = yield* restCaller(request)
        const session = yield* Effect.flatMap(SessionService, (s) => s.get(caller, id.toLowerCase()))
        return json(200, {
          id: session.id,
          entity_id: session.entityId,
          expires_at: rest(session.expiresAt),
          revoked_at: rest(session.revokedAt),
          created_at: rest(session.createdAt),
        })
      }),
  },
  {
    method: "POST",
    path: "/auth/keys/rotate",
    handler: (request) =>
      Effect.gen(function* () {
        const { caller } = yield* restCaller(request)
        yield* Effect.flatMap(Gate, (g) => g.require(caller, anyOf(["rotate"], Platform)))
        yield* Effect.flatMap(KeyRing, (k) => k.rotate)
        return { status: 204 }
      }),
  },
]
