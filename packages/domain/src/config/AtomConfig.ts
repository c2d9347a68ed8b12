import { Context, type Option, type Redacted } from "effect"

/** A host and port to listen on, parsed from `host:port`. */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

export type LogFormat = "json" | "text"
export type LogLevelName = "trace" | "debug" | "info" | "warn" | "error"
export type CaMode = "file_intermediate_issuer" | "file_root_issuer"
export type SmtpTls = "starttls" | "tls" | "none"
export type GuardrailDefault = "allow" | "deny"
export type RateLimitCategory = "auth_routes" | "public_routes" | "graphql" | "custom_endpoints" | "admin_routes"

export interface RateLimitPolicy {
  readonly category: RateLimitCategory
  readonly maxRequests: number
  readonly windowSecs: number
}

export interface Cidr {
  readonly text: string
  readonly family: 4 | 6
  /** The network address as a big integer and its prefix length: enough to test membership. */
  readonly network: bigint
  readonly prefix: number
}

export interface OidcProvider {
  readonly name: string
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scopes: ReadonlyArray<string>
}

export interface GrpcTls {
  readonly certPath: string
  readonly keyPath: string
  readonly clientCaPath: Option.Option<string>
}

export interface SmtpConfig {
  readonly host: string
  readonly from: string
  readonly port: number
  readonly tls: SmtpTls
  /** A PEM file of CAs trusted for the SMTP server's certificate besides the system's (a private relay). */
  readonly caPath: Option.Option<string>
  readonly credentials: Option.Option<{ readonly username: string; readonly password: Redacted.Redacted<string> }>
}

/** Every setting Atom reads, decoded once at startup (spec identity-certs §6.1). */
export interface AtomConfigShape {
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  /** Embedded PGlite folder when no DATABASE_URL; `memory://` keeps it in memory. */
  readonly dataDir: string
  readonly listen: ListenAddress
  readonly grpc: { readonly listen: ListenAddress; readonly tls: Option.Option<GrpcTls> }
  readonly log: { readonly level: LogLevelName; readonly format: LogFormat }
  readonly publicBaseUrl: string
  readonly corsAllowedOrigins: ReadonlyArray<string>
  readonly cookie: { readonly secure: boolean; readonly domain: Option.Option<string> }
  readonly db: {
    readonly maxConnections: number
    readonly minConnections: number
    readonly acquireTimeoutSecs: number
    readonly connectTimeoutSecs: number
    readonly idleTimeoutSecs: number
    readonly maxLifetimeSecs: number
    /** ATOM_DB_PREPARED_STATEMENTS: frequent statements as named prepared statements (Postgres) */
    readonly preparedStatements: boolean
  }
  readonly auth: {
    readonly jwtExpirySecs: number
    readonly jwtIssuer: string
    readonly jwtAudience: string
    readonly adminEntityId: string
    readonly adminSecret: Option.Option<Redacted.Redacted<string>>
    readonly serviceEntityId: string
    readonly serviceSecret: Option.Option<Redacted.Redacted<string>>
    readonly minPasswordChars: number
    /** ATOM_PASSWORD_HASHING_IDLE_PRIORITY: argon2 threads run under SCHED_IDLE (after nice 10) */
    readonly hashingIdlePriority: boolean
    readonly keyEncryptionKey: Option.Option<Redacted.Redacted<string>>
    readonly keyEncryptionKeyId: string
    readonly allowPlaintextSigningKeys: boolean
    readonly loginFailureLimit: number
    readonly loginFailureWindowSecs: number
  }
  readonly selfService: {
    readonly selfRegistrationEnabled: boolean
    readonly allowUnverifiedEmailLogin: boolean
    readonly emailVerificationRedirect: string
    readonly passwordResetRedirect: string
    readonly invitationRedirect: string
    readonly oauthSuccessRedirect: string
    readonly oauthErrorRedirect: string
    readonly oidcProviders: ReadonlyArray<OidcProvider>
    readonly emailVerificationExpirySecs: number
    readonly invitationExpirySecs: number
    readonly oauthStateExpirySecs: number
    readonly authExchangeCodeExpirySecs: number
  }
  readonly mail: { readonly smtp: Option.Option<SmtpConfig>; readonly templatesDir: Option.Option<string> }
  readonly audit: {
    readonly hotPathAllowDbEnabled: boolean
    /**
     * ATOM_AUDIT_HOT_PATH_ALLOW_SAMPLE_RATE: with hot-path allows stored, the fraction of them kept (each
     * allow drawn on its own; the rest are counted as suppressed). Denials are always kept.
     */
    readonly hotPathAllowSampleRate: number
    /**
     * ATOM_AUDIT_QUEUE_CAPACITY: decision events the audit queue holds in memory while its writer is behind
     * or the database is away; past it, events are dropped and counted
     */
    readonly queueCapacity: number
    /** ATOM_AUDIT_WRITER_IDLE_PRIORITY: the Postgres audit writer process runs under SCHED_IDLE (every thread) */
    readonly writerIdlePriority: boolean
    readonly retentionEnabled: boolean
    readonly retentionDays: number
    readonly cleanupIntervalSecs: number
    readonly cleanupBatchSize: number
  }
  readonly purge: {
    readonly enabled: boolean
    readonly retentionDays: number
    readonly intervalSecs: number
    readonly batchSize: number
  }
  readonly rateLimit: {
    readonly enabled: boolean
    readonly policies: ReadonlyArray<RateLimitPolicy>
    readonly trustedProxyCidrs: ReadonlyArray<Cidr>
  }
  readonly limits: {
    readonly authBodyBytes: number
    readonly graphqlBodyBytes: number
    readonly customEndpointBodyBytes: number
  }
  readonly graphql: { readonly maxDepth: number; readonly maxComplexity: number; readonly introspection: boolean }
  readonly metricsEnabled: boolean
  /** OpenTelemetry traces (OTLP/HTTP JSON); nothing is loaded while no endpoint is set. */
  readonly telemetry: {
    /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces` */
    readonly otlpTracesUrl: Option.Option<string>
    readonly serviceName: string
  }
  readonly certs: {
    readonly enabled: boolean
    readonly caMode: CaMode
    readonly rootCaCertPath: Option.Option<string>
    readonly rootCaKeyPath: Option.Option<string>
    readonly intermediateCaCertPath: Option.Option<string>
    readonly intermediateCaKeyPath: Option.Option<string>
    readonly leafDefaultTtlSecs: number
    readonly leafMaxTtlSecs: number
  }
  readonly guardrailDefault: GuardrailDefault
}

export class AtomConfig extends Context.Tag("atom/AtomConfig")<AtomConfig, AtomConfigShape>() {}
