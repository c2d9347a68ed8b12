import type {
  AtomConfigShape,
  Cidr,
  LogLevelName,
  OidcProvider,
  RateLimitCategory,
  RateLimitPolicy,
} from "@atom/domain/config"
import { parseCidr } from "@atom/domain/net"
import { Effect, Option, Redacted, Schema, SchemaAST } from "effect"
import { ConfigError } from "./ConfigError.js"
import {
  BooleanFromEnv,
  CommaList,
  FractionFromEnv,
  ListenAddressFromEnv,
  NonEmptyFromEnv,
  NonNegativeIntFromEnv,
  PositiveIntFromEnv,
  UrlFromEnv,
  UuidFromEnv,
} from "./envSchemas.js"

export type Env = Readonly<Record<string, string | undefined>>

const describe = (schema: Schema.Schema.Any): string => {
  const d = schema.ast.annotations[SchemaAST.DescriptionAnnotationId]
  return typeof d === "string" ? d : "a valid value"
}

const OidcProvidersJson = Schema.parseJson(
  Schema.Array(
    Schema.Struct({
      name: Schema.NonEmptyTrimmedString,
      issuer: Schema.String,
      client_id: Schema.String,
      client_secret: Schema.String,
      scopes: Schema.optionalWith(Schema.Array(Schema.String), { default: () => ["openid", "email", "profile"] }),
    }),
  ),
).annotations({ description: "a JSON array of {name, issuer, client_id, client_secret, scopes?}" })

/** Reads settings from one environment; a blank value counts as unset. */
const reader = (env: Env) => {
  const raw = (name: string): Option.Option<string> => {
    const v = env[name]
    return v === undefined || v.trim() === "" ? Option.none() : Option.some(v)
  }
  const opt = <A, I extends string>(
    name: string,
    schema: Schema.Schema<A, I>,
  ): Effect.Effect<Option.Option<A>, ConfigError> =>
    Option.match(raw(name), {
      onNone: () => Effect.succeed(Option.none<A>()),
      onSome: (v) =>
        Schema.decodeUnknown(schema)(v).pipe(
          Effect.map(Option.some),
          Effect.mapError(() => new ConfigError({ variable: name, expected: describe(schema) })),
        ),
    })
  const get = <A, I extends string>(name: string, schema: Schema.Schema<A, I>, fallback: A) =>
    Effect.map(
      opt(name, schema),
      Option.getOrElse(() => fallback),
    )
  const secret = (name: string) => Effect.map(opt(name, Schema.String), Option.map(Redacted.make))
  return { raw, opt, get, secret }
}

const CATEGORIES: ReadonlyArray<readonly [RateLimitCategory, string, string, number]> = [
  ["auth_routes", "AUTH_ROUTES", "AUTH_WINDOW_SECS", 30],
  ["public_routes", "PUBLIC_ROUTES", "PUBLIC_WINDOW_SECS", 120],
  ["graphql", "GRAPHQL", "GRAPHQL_WINDOW_SECS", 120],
  ["custom_endpoints", "CUSTOM_ENDPOINTS", "CUSTOM_ENDPOINTS_WINDOW_SECS", 120],
  ["admin_routes", "ADMIN_ROUTES", "ADMIN_WINDOW_SECS", 300],
]

const LOG_LEVELS: ReadonlyArray<LogLevelName> = ["trace", "debug", "info", "warn", "error"]

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const SERVICE_ID = "00000000-0000-0000-0000-000000000003"

/** Decodes every setting of spec identity-certs §6.1; the first bad one fails with its name. */
export const loadConfig = (env: Env): Effect.Effect<AtomConfigShape, ConfigError> =>
  Effect.gen(function* () {
    const r = reader(env)
    const fail = (variable: string, expected: string) => Effect.fail(new ConfigError({ variable, expected }))
    const pos = (name: string, fallback: number) => r.get(name, PositiveIntFromEnv, fallback)
    const nonNeg = (name: string, fallback: number) => r.get(name, NonNegativeIntFromEnv, fallback)
    const bool = (name: string, fallback: boolean) => r.get(name, BooleanFromEnv, fallback)
    const str = (name: string, fallback: string) => r.get(name, NonEmptyFromEnv, fallback)

    const publicBaseUrl = (yield* r.get("ATOM_PUBLIC_BASE_URL", UrlFromEnv, "http://localhost:8080")).replace(
      /\/+$/,
      "",
    )
    const logLevel = Option.getOrElse(
      Option.orElse(r.raw("ATOM_LOG_LEVEL"), () => r.raw("RUST_LOG")),
      () => "info",
    )
      .trim()
      .toLowerCase()
    const level = LOG_LEVELS.find((l) => l === logLevel)
    if (level === undefined) {
      return yield* fail("ATOM_LOG_LEVEL", "one of trace, debug, info, warn, error")
    }
    const format = yield* r.get(
      "ATOM_LOG_FORMAT",
      Schema.Literal("json", "text").annotations({ description: "json or text" }),
      "json",
    )

    const dbMax = yield* pos("ATOM_DB_MAX_CONNECTIONS", 20)
    const dbMin = yield* nonNeg("ATOM_DB_MIN_CONNECTIONS", 0)
    if (dbMin > dbMax) return yield* fail("ATOM_DB_MIN_CONNECTIONS", `at most ATOM_DB_MAX_CONNECTIONS (${dbMax})`)

    const tlsCert = yield* r.opt("ATOM_GRPC_TLS_CERT_PATH", NonEmptyFromEnv)
    const tlsKey = yield* r.opt("ATOM_GRPC_TLS_KEY_PATH", NonEmptyFromEnv)
    const tlsClientCa = yield* r.opt("ATOM_GRPC_TLS_CLIENT_CA_PATH", NonEmptyFromEnv)
    if (Option.isSome(tlsCert) !== Option.isSome(tlsKey)) {
      return yield* fail(
        Option.isSome(tlsCert) ? "ATOM_GRPC_TLS_KEY_PATH" : "ATOM_GRPC_TLS_CERT_PATH",
        "set together with its pair (ATOM_GRPC_TLS_CERT_PATH and ATOM_GRPC_TLS_KEY_PATH)",
      )
    }
    if (Option.isSome(tlsClientCa) && Option.isNone(tlsCert)) {
      return yield* fail("ATOM_GRPC_TLS_CLIENT_CA_PATH", "used with ATOM_GRPC_TLS_CERT_PATH and ATOM_GRPC_TLS_KEY_PATH")
    }

    const smtpHost = yield* r.opt("ATOM_SMTP_HOST", NonEmptyFromEnv)
    const smtpFrom = yield* r.opt("ATOM_SMTP_FROM", NonEmptyFromEnv)
    const smtpTls = yield* r.get(
      "ATOM_SMTP_TLS",
      Schema.Literal("starttls", "tls", "none").annotations({ description: "starttls, tls or none" }),
      "starttls",
    )
    const smtpPort = yield* pos("ATOM_SMTP_PORT", smtpTls === "tls" ? 465 : smtpTls === "none" ? 25 : 587)
    const smtpUser = yield* r.opt("ATOM_SMTP_USERNAME", NonEmptyFromEnv)
    const smtpPassword = yield* r.secret("ATOM_SMTP_PASSWORD")
    const smtpCaPath = yield* r.opt("ATOM_SMTP_CA_PATH", NonEmptyFromEnv)
    if (Option.isSome(smtpCaPath) && smtpTls === "none") {
      return yield* fail("ATOM_SMTP_CA_PATH", "used with ATOM_SMTP_TLS=starttls or tls")
    }

    const policies: Array<RateLimitPolicy> = []
    for (const [category, suffix, windowSuffix, max] of CATEGORIES) {
      policies.push({
        category,
        maxRequests: yield* pos(`ATOM_HTTP_RATE_LIMIT_${suffix}`, max),
        windowSecs: yield* pos(`ATOM_HTTP_RATE_LIMIT_${windowSuffix}`, 60),
      })
    }
    const trustedProxyCidrs: Array<Cidr> = []
    for (const item of yield* r.get("ATOM_TRUSTED_PROXY_CIDRS", CommaList, [])) {
      const cidr = parseCidr(item)
      if (!cidr) return yield* fail("ATOM_TRUSTED_PROXY_CIDRS", `a comma-separated list of CIDRs (bad: ${item})`)
      trustedProxyCidrs.push(cidr)
    }

    const oidcProviders: Array<OidcProvider> = (yield* r.get("ATOM_OIDC_PROVIDERS", OidcProvidersJson, [])).map(
      (p) => ({
        name: p.name,
        issuer: p.issuer,
        clientId: p.client_id,
        clientSecret: Redacted.make(p.client_secret),
        scopes: p.scopes,
      }),
    )

    const leafDefaultTtlSecs = yield* pos("ATOM_CERTS_LEAF_DEFAULT_TTL_SECS", 2_592_000)
    const leafMaxTtlSecs = yield* pos("ATOM_CERTS_LEAF_MAX_TTL_SECS", 2_592_000)
    if (leafDefaultTtlSecs > leafMaxTtlSecs) {
      return yield* fail("ATOM_CERTS_LEAF_DEFAULT_TTL_SECS", `at most ATOM_CERTS_LEAF_MAX_TTL_SECS (${leafMaxTtlSecs})`)
    }

    const config: AtomConfigShape = {
      databaseUrl: yield* r.secret("DATABASE_URL"),
      dataDir: yield* str("ATOM_DATA_DIR", "./.atom/data"),
      listen: yield* r.get("LISTEN_ADDR", ListenAddressFromEnv, { host: "0.0.0.0", port: 8080 }),
      grpc: {
        listen: yield* r.get("GRPC_ADDR", ListenAddressFromEnv, { host: "0.0.0.0", port: 8081 }),
        tls: Option.all({ certPath: tlsCert, keyPath: tlsKey }).pipe(
          Option.map((t) => ({ ...t, clientCaPath: tlsClientCa })),
        ),
      },
      log: { level, format },
      publicBaseUrl,
      corsAllowedOrigins: yield* r.get("ATOM_CORS_ALLOWED_ORIGINS", CommaList, [publicBaseUrl]),
      cookie: {
        secure: yield* bool("ATOM_AUTH_COOKIE_SECURE", publicBaseUrl.startsWith("https:")),
        domain: yield* r.opt("ATOM_AUTH_COOKIE_DOMAIN", NonEmptyFromEnv),
      },
      db: {
        maxConnections: dbMax,
        minConnections: dbMin,
        acquireTimeoutSecs: yield* pos("ATOM_DB_ACQUIRE_TIMEOUT_SECS", 30),
        connectTimeoutSecs: yield* pos("ATOM_DB_CONNECT_TIMEOUT_SECS", 10),
        idleTimeoutSecs: yield* pos("ATOM_DB_IDLE_TIMEOUT_SECS", 600),
        maxLifetimeSecs: yield* pos("ATOM_DB_MAX_LIFETIME_SECS", 1800),
        preparedStatements: yield* bool("ATOM_DB_PREPARED_STATEMENTS", true),
      },
      auth: {
        jwtExpirySecs: yield* pos("JWT_EXPIRY_SECS", 3600),
        jwtIssuer: yield* str("ATOM_JWT_ISSUER", publicBaseUrl),
        jwtAudience: yield* str("ATOM_JWT_AUDIENCE", "magistrala"),
        adminEntityId: (yield* r.get("ADMIN_ENTITY_ID", UuidFromEnv, ADMIN_ID)).toLowerCase(),
        adminSecret: yield* r.secret("ADMIN_SECRET"),
        serviceEntityId: (yield* r.get("ATOM_SERVICE_ENTITY_ID", UuidFromEnv, SERVICE_ID)).toLowerCase(),
        serviceSecret: yield* r.secret("ATOM_SERVICE_SECRET"),
        minPasswordChars: yield* pos("ATOM_MIN_PASSWORD_CHARS", 12),
        hashingIdlePriority: yield* bool("ATOM_PASSWORD_HASHING_IDLE_PRIORITY", true),
        keyEncryptionKey: yield* r.secret("ATOM_KEY_ENCRYPTION_KEY"),
        keyEncryptionKeyId: yield* str("ATOM_KEY_ENCRYPTION_KEY_ID", "local:v1"),
        allowPlaintextSigningKeys: yield* bool("ATOM_ALLOW_PLAINTEXT_SIGNING_KEYS", false),
        loginFailureLimit: yield* pos("ATOM_LOGIN_FAILURE_LIMIT", 5),
        loginFailureWindowSecs: yield* pos("ATOM_LOGIN_FAILURE_WINDOW_SECS", 900),
      },
      selfService: {
        selfRegistrationEnabled: yield* bool("ATOM_SELF_REGISTRATION_ENABLED", true),
        allowUnverifiedEmailLogin: yield* bool("ATOM_ALLOW_UNVERIFIED_EMAIL_LOGIN", false),
        emailVerificationRedirect: yield* r.get(
          "ATOM_EMAIL_VERIFICATION_REDIRECT",
          UrlFromEnv,
          `${publicBaseUrl}/auth/email/verify`,
        ),
        passwordResetRedirect: yield* r.get(
          "ATOM_PASSWORD_RESET_REDIRECT",
          UrlFromEnv,
          `${publicBaseUrl}/reset-password`,
        ),
        invitationRedirect: yield* r.get("ATOM_INVITATION_REDIRECT", UrlFromEnv, `${publicBaseUrl}/invitations/accept`),
        oauthSuccessRedirect: yield* r.get("ATOM_OAUTH_SUCCESS_REDIRECT", UrlFromEnv, `${publicBaseUrl}/auth/callback`),
        oauthErrorRedirect: yield* r.get("ATOM_OAUTH_ERROR_REDIRECT", UrlFromEnv, `${publicBaseUrl}/auth/callback`),
        oidcProviders,
        emailVerificationExpirySecs: yield* pos("ATOM_EMAIL_VERIFICATION_EXPIRY_SECS", 86_400),
        invitationExpirySecs: yield* pos("ATOM_INVITATION_EXPIRY_SECS", 604_800),
        oauthStateExpirySecs: yield* pos("ATOM_OAUTH_STATE_EXPIRY_SECS", 600),
        authExchangeCodeExpirySecs: yield* pos("ATOM_AUTH_EXCHANGE_CODE_EXPIRY_SECS", 300),
      },
      mail: {
        smtp: Option.all({ host: smtpHost, from: smtpFrom }).pipe(
          Option.map((s) => ({
            ...s,
            port: smtpPort,
            tls: smtpTls,
            caPath: smtpCaPath,
            credentials: Option.all({ username: smtpUser, password: smtpPassword }),
          })),
        ),
        templatesDir: yield* r.opt("ATOM_EMAIL_TEMPLATES_DIR", NonEmptyFromEnv),
      },
      audit: {
        hotPathAllowDbEnabled: yield* bool("ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED", false),
        hotPathAllowSampleRate: yield* r.get("ATOM_AUDIT_HOT_PATH_ALLOW_SAMPLE_RATE", FractionFromEnv, 1),
        queueCapacity: yield* pos("ATOM_AUDIT_QUEUE_CAPACITY", 100_000),
        writerIdlePriority: yield* bool("ATOM_AUDIT_WRITER_IDLE_PRIORITY", true),
        retentionEnabled: yield* bool("ATOM_AUDIT_RETENTION_ENABLED", true),
        retentionDays: yield* pos("ATOM_AUDIT_RETENTION_DAYS", 365),
        cleanupIntervalSecs: yield* pos("ATOM_AUDIT_CLEANUP_INTERVAL_SECS", 86_400),
        cleanupBatchSize: yield* pos("ATOM_AUDIT_CLEANUP_BATCH_SIZE", 5000),
      },
      purge: {
        enabled: yield* bool("ATOM_PURGE_ENABLED", false),
        retentionDays: yield* pos("ATOM_PURGE_RETENTION_DAYS", 90),
        intervalSecs: yield* pos("ATOM_PURGE_INTERVAL_SECS", 86_400),
        batchSize: yield* pos("ATOM_PURGE_BATCH_SIZE", 1000),
      },
      rateLimit: { enabled: yield* bool("ATOM_RATE_LIMIT_ENABLED", true), policies, trustedProxyCidrs },
      limits: {
        authBodyBytes: yield* pos("ATOM_AUTH_BODY_LIMIT_BYTES", 32_768),
        graphqlBodyBytes: yield* pos("ATOM_GRAPHQL_BODY_LIMIT_BYTES", 1_048_576),
        customEndpointBodyBytes: yield* pos("ATOM_CUSTOM_ENDPOINT_BODY_LIMIT_BYTES", 1_048_576),
      },
      graphql: {
        maxDepth: yield* pos("ATOM_GRAPHQL_MAX_DEPTH", 20),
        maxComplexity: yield* pos("ATOM_GRAPHQL_MAX_COMPLEXITY", 1000),
        introspection: yield* bool("ATOM_GRAPHQL_INTROSPECTION_ENABLED", false),
      },
      metricsEnabled: yield* bool("ATOM_METRICS_ENABLED", true),
      telemetry: {
        otlpTracesUrl: yield* Effect.map(
          Effect.all([
            r.opt("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", NonEmptyFromEnv),
            r.opt("OTEL_EXPORTER_OTLP_ENDPOINT", NonEmptyFromEnv),
          ]),
          ([traces, base]) =>
            Option.orElse(traces, () => Option.map(base, (b) => `${b.replace(/\/+$/, "")}/v1/traces`)),
        ),
        serviceName: yield* str("OTEL_SERVICE_NAME", "atom"),
      },
      certs: {
        enabled: yield* bool("ATOM_CERTS_ENABLED", true),
        caMode: yield* r.get(
          "ATOM_CERTS_CA_MODE",
          Schema.Literal("file_intermediate_issuer", "file_root_issuer").annotations({
            description: "file_intermediate_issuer or file_root_issuer",
          }),
          "file_intermediate_issuer",
        ),
        rootCaCertPath: yield* r.opt("ATOM_CERTS_ROOT_CA_CERT_PATH", NonEmptyFromEnv),
        rootCaKeyPath: yield* r.opt("ATOM_CERTS_ROOT_CA_KEY_PATH", NonEmptyFromEnv),
        intermediateCaCertPath: yield* r.opt("ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH", NonEmptyFromEnv),
        intermediateCaKeyPath: yield* r.opt("ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH", NonEmptyFromEnv),
        leafDefaultTtlSecs,
        leafMaxTtlSecs,
      },
      guardrailDefault: yield* r.get(
        "ATOM_GUARDRAIL_DEFAULT",
        Schema.Literal("allow", "deny").annotations({ description: "allow or deny" }),
        "allow",
      ),
    }
    return config
  })
