import { Effect, Either, Option, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { type Env, loadConfig } from "../src/config/loadConfig.js"

const load = (env: Env) => Effect.runSync(Effect.either(loadConfig(env)))
const ok = (env: Env) => Either.getOrThrow(load(env))
const errorOf = (env: Env) => Either.match(load(env), { onLeft: (e) => e.message, onRight: () => "no error" })

describe("configuration", () => {
  it("has the contract's defaults", () => {
    const c = ok({})
    expect(c.listen).toEqual({ host: "0.0.0.0", port: 8080 })
    expect(c.grpc.listen).toEqual({ host: "0.0.0.0", port: 8081 })
    expect(Option.isNone(c.databaseUrl)).toBe(true)
    expect(c.dataDir).toBe("./.atom/data")
    expect(c.publicBaseUrl).toBe("http://localhost:8080")
    expect(c.corsAllowedOrigins).toEqual(["http://localhost:8080"])
    expect(c.cookie.secure).toBe(false)
    expect(c.db).toEqual({
      maxConnections: 20,
      minConnections: 0,
      acquireTimeoutSecs: 30,
      connectTimeoutSecs: 10,
      idleTimeoutSecs: 600,
      maxLifetimeSecs: 1800,
      preparedStatements: true,
    })
    expect(c.auth.jwtExpirySecs).toBe(3600)
    expect(c.auth.jwtAudience).toBe("magistrala")
    expect(c.auth.jwtIssuer).toBe("http://localhost:8080")
    expect(c.auth.adminEntityId).toBe("00000000-0000-0000-0000-000000000001")
    expect(c.auth.minPasswordChars).toBe(12)
    expect(c.rateLimit.policies.map((p) => [p.category, p.maxRequests, p.windowSecs])).toEqual([
      ["auth_routes", 30, 60],
      ["public_routes", 120, 60],
      ["graphql", 120, 60],
      ["custom_endpoints", 120, 60],
      ["admin_routes", 300, 60],
    ])
    expect(c.limits).toEqual({ authBodyBytes: 32768, graphqlBodyBytes: 1048576, customEndpointBodyBytes: 1048576 })
    expect(c.graphql).toEqual({ maxDepth: 20, maxComplexity: 1000, introspection: false })
    expect(c.certs.enabled).toBe(true)
    expect(c.certs.caMode).toBe("file_intermediate_issuer")
    expect(c.certs.leafDefaultTtlSecs).toBe(2592000)
    expect(c.guardrailDefault).toBe("allow")
    expect(c.log).toEqual({ level: "info", format: "json" })
    expect(c.audit.queueCapacity).toBe(100_000)
    expect(ok({ ATOM_AUDIT_QUEUE_CAPACITY: "5000" }).audit.queueCapacity).toBe(5000)
  })

  it("derives cookie security, issuer and redirects from the base URL", () => {
    const c = ok({ ATOM_PUBLIC_BASE_URL: "https://atom.example.com/" })
    expect(c.publicBaseUrl).toBe("https://atom.example.com")
    expect(c.cookie.secure).toBe(true)
    expect(c.auth.jwtIssuer).toBe("https://atom.example.com")
    expect(c.selfService.passwordResetRedirect).toBe("https://atom.example.com/reset-password")
  })

  it("reads booleans as 1/true/yes/on and 0/false/no/off", () => {
    for (const v of ["1", "true", "YES", "on"]) expect(ok({ ATOM_METRICS_ENABLED: v }).metricsEnabled).toBe(true)
    for (const v of ["0", "false", "No", "off"]) expect(ok({ ATOM_METRICS_ENABLED: v }).metricsEnabled).toBe(false)
  })

  it("keeps secrets redacted", () => {
    const c = ok({ ADMIN_SECRET: "correct horse battery staple", DATABASE_URL: "postgres://u:pw@h/db" })
    expect(String(Option.getOrThrow(c.auth.adminSecret))).not.toContain("horse")
    expect(Redacted.value(Option.getOrThrow(c.auth.adminSecret))).toBe("correct horse battery staple")
    expect(JSON.stringify(c)).not.toContain("pw@h")
  })

  it("parses listen addresses, trusted proxies and OIDC providers", () => {
    const c = ok({
      LISTEN_ADDR: "127.0.0.1:9000",
      GRPC_ADDR: "[::1]:9001",
      ATOM_TRUSTED_PROXY_CIDRS: "10.0.0.0/8, 192.168.1.7, fd00::/8",
      ATOM_OIDC_PROVIDERS: '[{"name":"idp","issuer":"http://127.0.0.1:1","client_id":"a","client_secret":"b"}]',
    })
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 9000 })
    expect(c.grpc.listen).toEqual({ host: "::1", port: 9001 })
    expect(c.rateLimit.trustedProxyCidrs.map((x) => [x.family, x.prefix])).toEqual([
      [4, 8],
      [4, 32],
      [6, 8],
    ])
    expect(c.selfService.oidcProviders[0]?.scopes).toEqual(["openid", "email", "profile"])
  })

  it.each([
    [{ LISTEN_ADDR: "localhost" }, "LISTEN_ADDR must be an address like 0.0.0.0:8080"],
    [{ GRPC_ADDR: "1.2.3.4:99999" }, "GRPC_ADDR must be an address like 0.0.0.0:8080"],
    [{ ATOM_LOG_FORMAT: "xml" }, "ATOM_LOG_FORMAT must be json or text"],
    [{ ATOM_LOG_LEVEL: "loud" }, "ATOM_LOG_LEVEL must be one of trace, debug, info, warn, error"],
    [{ ATOM_DB_MAX_CONNECTIONS: "0" }, "ATOM_DB_MAX_CONNECTIONS must be a whole number greater than 0"],
    [{ ATOM_DB_MAX_CONNECTIONS: "ten" }, "ATOM_DB_MAX_CONNECTIONS must be a whole number greater than 0"],
    [{ ATOM_DB_MAX_CONNECTIONS: "4", ATOM_DB_MIN_CONNECTIONS: "5" }, "ATOM_DB_MIN_CONNECTIONS must be at most"],
    [{ ATOM_RATE_LIMIT_ENABLED: "maybe" }, "ATOM_RATE_LIMIT_ENABLED must be a boolean"],
    [{ ATOM_TRUSTED_PROXY_CIDRS: "10.0.0.0/33" }, "ATOM_TRUSTED_PROXY_CIDRS must be a comma-separated list of CIDRs"],
    [{ ATOM_OIDC_PROVIDERS: "{not json" }, "ATOM_OIDC_PROVIDERS must be a JSON array"],
    [{ ATOM_GRPC_TLS_CERT_PATH: "/x.pem" }, "ATOM_GRPC_TLS_KEY_PATH must be set together with its pair"],
    [{ ATOM_GRPC_TLS_CLIENT_CA_PATH: "/ca.pem" }, "ATOM_GRPC_TLS_CLIENT_CA_PATH must be used with"],
    [{ ATOM_CERTS_CA_MODE: "vault" }, "ATOM_CERTS_CA_MODE must be file_intermediate_issuer or file_root_issuer"],
    [{ ATOM_CERTS_LEAF_DEFAULT_TTL_SECS: "10", ATOM_CERTS_LEAF_MAX_TTL_SECS: "5" }, "must be at most"],
    [{ ATOM_PUBLIC_BASE_URL: "ftp://x" }, "ATOM_PUBLIC_BASE_URL must be an http(s) URL"],
    [{ ADMIN_ENTITY_ID: "admin" }, "ADMIN_ENTITY_ID must be a UUID"],
    [{ ATOM_GUARDRAIL_DEFAULT: "maybe" }, "ATOM_GUARDRAIL_DEFAULT must be allow or deny"],
    [{ ATOM_AUDIT_QUEUE_CAPACITY: "0" }, "ATOM_AUDIT_QUEUE_CAPACITY must be a whole number greater than 0"],
  ])("rejects %o with a message naming the variable", (env, expected) => {
    const message = errorOf(env)
    expect(message).toContain(expected)
    expect(message.startsWith("invalid configuration: ")).toBe(true)
    expect(message).not.toContain("\n")
  })
})
