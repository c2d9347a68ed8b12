import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi,
} from "@effect/platform"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import { Schema } from "effect"
import {
  AuditExportRecord,
  CurrentSession,
  EmailRequest,
  EmailVerified,
  ErrorBody,
  GraphqlRequest,
  GraphqlResponse,
  Introspection,
  Jwks,
  Liveness,
  LoggedOut,
  LoginRequest,
  LoginResponse,
  OAuthExchange,
  PasswordReset,
  PasswordResetRequest,
  PublicConfig,
  Readiness,
  Session,
  SignupRequest,
  SignupResponse,
} from "./wireSchemas.js"

// A description only: the routes are served by our own router (../routes); this HttpApi exists to
// generate /openapi.json from the same wire shapes.

/** `{"error": …}` with a status. */
const error = (status: number, description: string) =>
  ErrorBody.annotations({ ...HttpApiSchema.annotations({ status }), description })

/** `Authorization: Bearer <token>` (or the `atom_token` cookie). */
class BearerAuth extends HttpApiMiddleware.Tag<BearerAuth>()("BearerAuth", {
  security: { bearerAuth: HttpApiSecurity.bearer.pipe(HttpApiSecurity.annotate(OpenApi.Format, "JWT")) },
}) {}

const SessionId = Schema.Struct({ id: Schema.UUID })
const Provider = Schema.Struct({ provider: Schema.String })
const Redirect = HttpApiSchema.Empty(307).annotations({ description: "redirect (Location header)" })

const discovery = HttpApiGroup.make("discovery").add(
  HttpApiEndpoint.get("jwks", "/.well-known/jwks.json")
    .addSuccess(Jwks)
    .annotate(OpenApi.Summary, "the public keys that verify session tokens"),
)

const health = HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("live", "/health/live").addSuccess(Liveness).annotate(OpenApi.Summary, "liveness"))
  .add(
    HttpApiEndpoint.get("ready", "/health/ready")
      .addSuccess(Readiness)
      .addError(Readiness.annotations({ ...HttpApiSchema.annotations({ status: 503 }), description: "not ready" }))
      .annotate(OpenApi.Summary, "readiness of every component"),
  )
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(Readiness)
      .addError(Readiness.annotations({ ...HttpApiSchema.annotations({ status: 503 }), description: "not ready" }))
      .annotate(OpenApi.Summary, "alias of /health/ready"),
  )
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain; version=0.0.4" }))
      .annotate(OpenApi.Summary, "Prometheus metrics (when ATOM_METRICS_ENABLED)"),
  )

const certs = HttpApiGroup.make("certificates")
  .add(
    HttpApiEndpoint.get("caChain", "/certs/ca-chain")
      .addSuccess(HttpApiSchema.Text({ contentType: "application/x-pem-file" }))
      .addError(error(400, "certificate support is disabled"))
      .annotate(OpenApi.Summary, "the issuing chain, PEM"),
  )
  .add(
    HttpApiEndpoint.get("crl", "/certs/crl")
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/pkix-crl" }))
      .addError(error(400, "certificate support is disabled"))
      .annotate(OpenApi.Summary, "the current CRL, DER"),
  )
  .add(
    HttpApiEndpoint.post("ocsp", "/certs/ocsp")
      .setPayload(HttpApiSchema.Uint8Array({ contentType: "application/ocsp-request" }))
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/ocsp-response" }))
      .annotate(OpenApi.Summary, "OCSP responder (always 200; failures are OCSP response statuses)"),
  )

const auth = HttpApiGroup.make("auth")
  .add(HttpApiEndpoint.get("publicConfig", "/auth/public-config").addSuccess(PublicConfig))
  .add(
    HttpApiEndpoint.post("signup", "/auth/signup")
      .setPayload(SignupRequest)
      .addSuccess(SignupResponse, { status: 202 })
      .addError(error(400, "invalid name, email or password"))
      .addError(error(403, "self-registration is disabled"))
      .addError(error(409, "already exists")),
  )
  .add(
    HttpApiEndpoint.post("login", "/auth/login")
      .setPayload(LoginRequest)
      .addSuccess(LoginResponse)
      .addError(error(400, "unsupported credential kind, or both tenant selectors"))
      .addError(error(401, "invalid credentials, inactive entity or tenant, unverified email"))
      .addError(error(429, "too many failed login attempts (Retry-After)"))
      .annotate(OpenApi.Summary, "log in; the token is also set as the atom_token cookie"),
  )
  .add(
    HttpApiEndpoint.get("verifyEmail", "/auth/email/verify")
      .setUrlParams(Schema.Struct({ token: Schema.String }))
      .addSuccess(EmailVerified)
      .addError(error(400, "invalid or expired verification token")),
  )
  .add(
    HttpApiEndpoint.post("resendVerification", "/auth/email/resend")
      .setPayload(EmailRequest)
      .addSuccess(HttpApiSchema.Accepted)
      .addError(error(400, "malformed email")),
  )
  .add(
    HttpApiEndpoint.post("requestPasswordReset", "/auth/password/reset/request")
      .setPayload(PasswordResetRequest)
      .addSuccess(HttpApiSchema.Accepted)
      .addError(error(400, "malformed email")),
  )
  .add(
    HttpApiEndpoint.post("resetPassword", "/auth/password/reset")
      .setPayload(PasswordReset)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(error(400, "invalid token, or a password the policy refuses")),
  )
  .add(
    HttpApiEndpoint.get("oauthStart", "/auth/oauth/:provider/start")
      .setPath(Provider)
      .setUrlParams(Schema.Struct({ return_to: Schema.optional(Schema.String) }))
      .addSuccess(Redirect)
      .addError(error(400, "return_to must be a same-origin path"))
      .addError(error(403, "self-registration is disabled"))
      .addError(error(404, "oauth provider not configured")),
  )
  .add(
    HttpApiEndpoint.get("oauthCallback", "/auth/oauth/:provider/callback")
      .setPath(Provider)
      .setUrlParams(
        Schema.Struct({
          code: Schema.optional(Schema.String),
          state: Schema.optional(Schema.String),
          error: Schema.optional(Schema.String),
        }),
      )
      .addSuccess(Redirect),
  )
  .add(
    HttpApiEndpoint.post("oauthExchange", "/auth/oauth/exchange")
      .setPayload(OAuthExchange)
      .addSuccess(LoginResponse)
      .addError(error(400, "invalid exchange code")),
  )

const unauthorized = error(401, "missing, invalid, expired or revoked token")

const session = HttpApiGroup.make("session")
  .add(HttpApiEndpoint.post("logout", "/auth/logout").addSuccess(LoggedOut).addError(unauthorized))
  .add(HttpApiEndpoint.get("introspect", "/auth/introspect").addSuccess(Introspection).addError(unauthorized))
  .add(HttpApiEndpoint.get("session", "/auth/session").addSuccess(CurrentSession).addError(unauthorized))
  .add(
    HttpApiEndpoint.get("getSession", "/auth/sessions/:id")
      .setPath(SessionId)
      .addSuccess(Session)
      .addError(unauthorized)
      .addError(error(403, "forbidden"))
      .addError(error(404, "session <id> not found")),
  )
  .add(
    HttpApiEndpoint.post("rotateKeys", "/auth/keys/rotate")
      .addSuccess(HttpApiSchema.NoContent)
      .addError(unauthorized)
      .addError(error(403, "forbidden")),
  )
  .middleware(BearerAuth)

const audit = HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("export", "/audit/export")
      .setUrlParams(
        Schema.Struct({
          format: Schema.optional(Schema.Literal("json", "csv")),
          tenantId: Schema.optional(Schema.UUID),
          from: Schema.optional(Schema.String),
          to: Schema.optional(Schema.String),
          actorEntityId: Schema.optional(Schema.UUID),
          targetKind: Schema.optional(Schema.String),
          targetId: Schema.optional(Schema.String),
          event: Schema.optional(Schema.String),
          outcome: Schema.optional(Schema.Literal("allow", "deny", "error")),
        }),
      )
      .addSuccess(Schema.Array(AuditExportRecord))
      .addError(error(400, "format must be csv or json, or a malformed filter"))
      .addError(unauthorized)
      .addError(error(403, "forbidden"))
      .annotate(
        OpenApi.Summary,
        "stream the audit records a caller may read (JSON array, or text/csv with format=csv), newest first",
      ),
  )
  .middleware(BearerAuth)

const CUSTOM_PATH = "/api/custom/:path"
const CustomPath = Schema.Struct({
  path: Schema.String.annotations({ description: "the rest of the path, slashes included" }),
})
const customEndpoint = <Name extends string, Method extends HttpMethod>(
  endpoint: HttpApiEndpoint.HttpApiEndpoint<Name, Method>,
) =>
  endpoint
    .setPath(CustomPath)
    .addSuccess(Schema.Unknown.annotations({ description: "the stored document's result, shaped by the endpoint" }))
    .addError(error(400, "invalid input"))
    .addError(unauthorized)
    .addError(error(403, "forbidden"))
    .addError(error(404, "no enabled endpoint for this method and path"))
    .addError(HttpApiSchema.Empty(405).annotations({ description: "the path exists for other methods (Allow header)" }))
    .addError(error(413, "custom endpoint request body is too large"))
    .addError(error(504, "the endpoint's execution budget ran out"))

const custom = HttpApiGroup.make("customEndpoints")
  .add(
    customEndpoint(HttpApiEndpoint.get("customGet", CUSTOM_PATH)).annotate(
      OpenApi.Summary,
      "run a custom API endpoint (api.md §1.4)",
    ),
  )
  .add(customEndpoint(HttpApiEndpoint.post("customPost", CUSTOM_PATH)))
  .add(customEndpoint(HttpApiEndpoint.put("customPut", CUSTOM_PATH)))
  .add(customEndpoint(HttpApiEndpoint.patch("customPatch", CUSTOM_PATH)))
  .add(customEndpoint(HttpApiEndpoint.del("customDelete", CUSTOM_PATH)))

const graphql = HttpApiGroup.make("graphql").add(
  HttpApiEndpoint.post("graphql", "/graphql")
    .setPayload(GraphqlRequest)
    .addSuccess(GraphqlResponse)
    .addError(
      HttpApiSchema.Text().annotations({
        ...HttpApiSchema.annotations({ status: 413 }),
        description: "request body is too large",
      }),
    )
    .annotate(OpenApi.Summary, "the administration and runtime API (contract.graphql); errors are in `errors`"),
)

const documentation = HttpApiGroup.make("documentation")
  .add(
    HttpApiEndpoint.get("openapi", "/openapi.json")
      .addSuccess(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
      .annotate(OpenApi.Summary, "this document"),
  )
  .add(
    HttpApiEndpoint.get("docs", "/docs")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/html" }))
      .annotate(OpenApi.Summary, "a page listing the routes"),
  )

/** Atom's REST routes (api.md §1.2), for the OpenAPI document. */
export const RestApi = HttpApi.make("atom")
  .add(discovery)
  .add(health)
  .add(certs)
  .add(auth)
  .add(session)
  .add(audit)
  .add(custom)
  .add(graphql)
  .add(documentation)
  .annotate(OpenApi.Title, "Atom REST API")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    'The REST routes of Atom. Administration is GraphQL (POST /graphql) and gRPC (atom.v1); errors are {"error": message}.',
  )
