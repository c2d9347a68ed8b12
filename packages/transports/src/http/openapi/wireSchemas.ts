import { Schema } from "effect"

// The JSON bodies of the REST routes as api.md §1.3 gives them (snake_case, RFC 3339 `Z` timestamps).

const Uuid = Schema.UUID
const Timestamp = Schema.String.annotations({ format: "date-time", description: "RFC 3339 UTC with Z" })

/** `{"error": "<message>"}`: every application error (api.md §1.1). */
export const ErrorBody = Schema.Struct({ error: Schema.String }).annotations({ identifier: "Error" })

export const Jwks = Schema.Struct({
  keys: Schema.Array(
    Schema.Struct({
      kty: Schema.Literal("EC"),
      crv: Schema.Literal("P-256"),
      x: Schema.String,
      y: Schema.String,
      kid: Schema.String,
      use: Schema.Literal("sig"),
      alg: Schema.Literal("ES256"),
    }),
  ),
}).annotations({ identifier: "Jwks" })

const ComponentStatus = Schema.Literal("ok", "disabled", "degraded", "error")
const Component = Schema.Struct({ status: ComponentStatus, message: Schema.String })

export const Liveness = Schema.Struct({ status: Schema.Literal("ok") }).annotations({ identifier: "Liveness" })

export const Readiness = Schema.Struct({
  status: Schema.Literal("ok", "error"),
  http_ready: Component,
  grpc_ready: Component,
  database: Component,
  migrations: Component,
  signing_keys: Component,
  certificate_issuer: Component,
  db_pool: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  signing_key_state: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  audit_retention: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  /** ours: the background purge of soft-deleted rows and this process's latest run */
  soft_delete_purge: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  audit_queue: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  rate_limits: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
}).annotations({ identifier: "Readiness" })

export const PublicConfig = Schema.Struct({
  signup_enabled: Schema.Boolean,
  self_registration_enabled: Schema.Boolean,
  oauth_providers: Schema.Array(Schema.String),
  email_verification_required: Schema.Boolean,
  dev_allow_unverified_email_login: Schema.Boolean,
}).annotations({ identifier: "PublicConfig" })

export const SignupRequest = Schema.Struct({
  name: Schema.String,
  email: Schema.String,
  password: Schema.String,
  attributes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
}).annotations({ identifier: "SignupRequest" })

export const SignupResponse = Schema.Struct({
  entity_id: Uuid,
  email: Schema.String,
  verification_required: Schema.Boolean,
}).annotations({ identifier: "SignupResponse" })

export const LoginRequest = Schema.Struct({
  identifier: Schema.String,
  secret: Schema.String,
  tenant_id: Schema.optional(Schema.NullOr(Uuid)),
  tenant_alias: Schema.optional(Schema.NullOr(Schema.String)),
  kind: Schema.optional(Schema.Literal("password", "shared_key", "access_token", "certificate")),
}).annotations({ identifier: "LoginRequest" })

export const LoginResponse = Schema.Struct({
  token: Schema.String,
  entity_id: Uuid,
  session_id: Uuid,
  expires_at: Timestamp,
  email_verified: Schema.optional(Schema.Boolean),
  verification_required: Schema.optional(Schema.Literal(true)),
}).annotations({ identifier: "LoginResponse" })

export const EmailVerified = Schema.Struct({ verified: Schema.Literal(true) }).annotations({
  identifier: "EmailVerified",
})

export const EmailRequest = Schema.Struct({ email: Schema.String }).annotations({ identifier: "EmailRequest" })

export const PasswordResetRequest = Schema.Struct({
  email: Schema.String,
  redirect_url: Schema.optional(Schema.NullOr(Schema.String)),
}).annotations({ identifier: "PasswordResetRequest" })

export const PasswordReset = Schema.Struct({
  token: Schema.String,
  password: Schema.String,
  confirm_password: Schema.optional(Schema.NullOr(Schema.String)),
}).annotations({ identifier: "PasswordReset" })

export const OAuthExchange = Schema.Struct({ code: Schema.String }).annotations({ identifier: "OAuthExchange" })

export const LoggedOut = Schema.Struct({ authenticated: Schema.Literal(false) }).annotations({
  identifier: "LoggedOut",
})

export const Introspection = Schema.Struct({
  active: Schema.Literal(true),
  entity_id: Uuid,
  tenant_id: Schema.NullOr(Uuid),
  session_id: Schema.NullOr(Uuid),
}).annotations({ identifier: "Introspection" })

export const CurrentSession = Schema.Struct({
  authenticated: Schema.Literal(true),
  session: Schema.Struct({
    entityId: Uuid,
    tenantId: Schema.NullOr(Uuid),
    sessionId: Schema.NullOr(Uuid),
    expiresAt: Schema.NullOr(Timestamp),
  }),
}).annotations({ identifier: "CurrentSession" })

export const Session = Schema.Struct({
  id: Uuid,
  entity_id: Uuid,
  expires_at: Timestamp,
  revoked_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
}).annotations({ identifier: "Session" })

/** One audit record as `GET /audit/export?format=json` streams it (CSV has the same columns). */
export const AuditExportRecord = Schema.Struct({
  id: Uuid,
  created_at: Timestamp,
  actor_entity_id: Schema.NullOr(Uuid),
  tenant_id: Schema.NullOr(Uuid),
  target_kind: Schema.NullOr(Schema.String),
  target_id: Schema.NullOr(Schema.String),
  event: Schema.String,
  outcome: Schema.Literal("allow", "deny", "error"),
  details: Schema.Unknown,
  client_ip: Schema.NullOr(Schema.String),
  user_agent: Schema.NullOr(Schema.String),
  request_id: Schema.NullOr(Schema.String),
  chain_id: Schema.NullOr(Schema.String),
  chain_seq: Schema.NullOr(Schema.Number),
  prev_hash: Schema.NullOr(Schema.String),
  hash: Schema.NullOr(Schema.String),
}).annotations({ identifier: "AuditExportRecord" })

/** A GraphQL request (POST /graphql, application/json). */
export const GraphqlRequest = Schema.Struct({
  query: Schema.String,
  variables: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  operationName: Schema.optional(Schema.NullOr(Schema.String)),
}).annotations({ identifier: "GraphqlRequest" })

/** A GraphQL answer: `data` and/or `errors` carrying Atom's messages. */
export const GraphqlResponse = Schema.Struct({
  data: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  errors: Schema.optional(
    Schema.Array(
      Schema.Struct({
        message: Schema.String,
        extensions: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
      }),
    ),
  ),
}).annotations({ identifier: "GraphqlResponse" })
