import { AtomConfig, type AtomConfigShape } from "@atom/domain/config"
import { AuditLogs, AuditRetentionRuns } from "@atom/repositories/audit"
import { Certificates, CrlStates } from "@atom/repositories/certificates"
import { CredentialRepositoriesLive } from "@atom/repositories/credentials"
import { DbLive, runMigrations } from "@atom/repositories/db"
import { ApiEndpointExecutions, ApiEndpoints } from "@atom/repositories/endpoints"
import { EntityRepositoriesLive } from "@atom/repositories/entities"
import { GroupRepositoriesLive } from "@atom/repositories/groups"
import {
  EmailVerificationTokens,
  EntityEmails,
  IdentityEntities,
  LoginAttempts,
  LoginStatements,
  PasswordResetTokens,
  Passwords,
  Sessions,
  SigningKeys,
  TenantRefs,
} from "@atom/repositories/identity"
import { OAuthRepositoriesLive } from "@atom/repositories/oauth"
import { PolicyRepositoriesLive } from "@atom/repositories/policy"
import { ResourceRepositoriesLive } from "@atom/repositories/resources"
import { TenantRepositories } from "@atom/repositories/tenants"
import { AuditChains, AuditLog, AuditQueue, AuditReader, AuditRetention } from "@atom/services/audit"
import {
  BootstrapAdmin,
  EmailVerification,
  JwtAuthenticatorLive,
  Kek,
  KeyRing,
  Login,
  PasswordReset,
  SessionService,
  SigningKeyAdmin,
  Signup,
} from "@atom/services/auth"
import { OAuthLogin } from "@atom/services/auth/oidc"
import { AuthzInspection, AuthzService } from "@atom/services/authz"
import { CaSigner, CertificatesLive } from "@atom/services/certificates"
import { CredentialsLive } from "@atom/services/credentials"
import { EndpointsLive } from "@atom/services/endpoints"
import { EntitiesLive, TombstonePurge } from "@atom/services/entities"
import { GroupsLive } from "@atom/services/groups"
import { ListenerStatus, Readiness, ReadinessProbes, SystemStatus } from "@atom/services/health"
import { MailDelivery, Mailer } from "@atom/services/mail"
import { AtomMetrics } from "@atom/services/metrics"
import { PasswordHasher } from "@atom/services/passwords"
import { PolicyServicesLive } from "@atom/services/policy"
import { RateLimiter } from "@atom/services/ratelimit"
import { ResourcesLive } from "@atom/services/resources"
import { TenantUseCases } from "@atom/services/tenants"
import { Effect, Layer } from "effect"
import { GateLayer } from "./gateLayer.js"
import { LoggingLive } from "./logging.js"

export interface AppOptions {
  /** A PGlite image (see test support) to start an in-memory database from, skipping cold init. */
  readonly pgliteImage?: Blob | undefined
  /** Another password hasher (bench/loginPath.ts: minimal parameters, to measure everything but the hash). */
  readonly passwordHasher?: Layer.Layer<PasswordHasher> | undefined
}

const Migrations = Layer.effectDiscard(
  runMigrations().pipe(
    Effect.tap((applied) =>
      applied.length > 0
        ? Effect.logInfo("migrations applied").pipe(
            Effect.annotateLogs({ migrations: applied.map(([id, n]) => `${id}_${n}`) }),
          )
        : Effect.logDebug("database schema up to date"),
    ),
  ),
)

// Tiers, each built on the ones below it. An area adds its layers to the tier they belong to.

/** Repositories: SQL over the SqlClient, one per aggregate. */
const Repositories = Layer.mergeAll(
  IdentityEntities.Default,
  Passwords.Default,
  Sessions.Default,
  EntityEmails.Default,
  EmailVerificationTokens.Default,
  PasswordResetTokens.Default,
  LoginAttempts.Default,
  LoginStatements.Default,
  TenantRefs.Default,
  SigningKeys.Default,
  AuditLogs.Default,
  AuditRetentionRuns.Default,
  CredentialRepositoriesLive,
  TenantRepositories,
  EntityRepositoriesLive,
  GroupRepositoriesLive,
  ResourceRepositoriesLive,
  PolicyRepositoriesLive,
  Certificates.Default,
  CrlStates.Default,
  ApiEndpoints.Default,
  ApiEndpointExecutions.Default,
  OAuthRepositoriesLive,
)

/**
 * Metrics, the audit write paths (in-transaction log, queue, retention) and the soft-delete purge job. Above the database tier, so
 * on shutdown the queue's finalizer drains it before the database closes; below every use case.
 */
const Observability = Layer.mergeAll(AuditQueue.Live, AuditRetention.Live, TombstonePurge.Live).pipe(
  Layer.provideMerge(AuditLog.Live),
  Layer.provideMerge(AuditChains.Live),
  Layer.provideMerge(AtomMetrics.Live),
)

/** Things that hold keys or threads: KEK, password hashing, signing keys, the certificate issuer. */
const makeInfrastructure = (hasher: Layer.Layer<PasswordHasher>) =>
  Layer.mergeAll(hasher, KeyRing.Live, CaSigner.Live, Mailer.Default, MailDelivery.layer()).pipe(
    Layer.provideMerge(Kek.Live),
  )

/** Use cases; the gate and the PDP first, since every other use case asks them. */
const Services = Layer.mergeAll(
  Login.Default,
  SessionService.Default,
  SigningKeyAdmin.Default,
  Signup.Default,
  EmailVerification.Default,
  PasswordReset.Default,
  OAuthLogin.Default,
  JwtAuthenticatorLive,
  RateLimiter.Live,
  AuditReader.Live,
  CredentialsLive,
  TenantUseCases,
  EntitiesLive,
  GroupsLive,
  ResourcesLive,
  PolicyServicesLive,
  CertificatesLive,
  AuthzService.Live,
  AuthzInspection.Live,
  EndpointsLive,
).pipe(Layer.provideMerge(GateLayer))

const SigningKeysProbe = Layer.effect(
  ReadinessProbes,
  Effect.map(Effect.all([KeyRing, CaSigner]), ([keys, ca]) => [
    {
      name: "signing_keys" as const,
      check: keys.state.pipe(
        Effect.map((s) =>
          s.plaintextCount > 0 && !s.plaintextAllowed
            ? { status: "degraded" as const, message: `${s.plaintextCount} plaintext signing keys remain` }
            : { status: "ok" as const, message: "signing keys loaded" },
        ),
        Effect.catchAll(() => Effect.succeed({ status: "error" as const, message: "signing keys unreadable" })),
      ),
    },
    {
      name: "certificate_issuer" as const,
      check: Effect.succeed(
        ca.state._tag === "Loaded"
          ? { status: "ok" as const, message: `certificate issuer loaded using ${ca.state.mode}` }
          : { status: "disabled" as const, message: "certificate issuer disabled" },
      ),
    },
  ]),
)

/** Everything the handlers need, built once: database (migrated), keys, services, readiness. */
export const makeAppLayer = (config: AtomConfigShape, options: AppOptions = {}) => {
  const Config = Layer.succeed(AtomConfig, config)
  const Db = DbLive({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pool: config.db,
    pgliteImage: options.pgliteImage,
  })
  const Base = Layer.mergeAll(Config, ListenerStatus.Live, Layer.provideMerge(Migrations, Db))
  const Core = BootstrapAdmin.pipe(
    Layer.provideMerge(
      makeInfrastructure(options.passwordHasher ?? PasswordHasher.layerWith(config.auth.hashingIdlePriority)),
    ),
    Layer.provideMerge(Observability),
    Layer.provideMerge(Repositories),
  )
  const Ready = SystemStatus.Default.pipe(
    Layer.provideMerge(Readiness.Default.pipe(Layer.provide(SigningKeysProbe))),
    Layer.provide(GateLayer),
  )
  return Layer.mergeAll(Services, Ready).pipe(
    Layer.provideMerge(Core),
    Layer.provideMerge(Base),
    Layer.provideMerge(LoggingLive(config.log)),
  )
}

export type AppLayer = ReturnType<typeof makeAppLayer>
export type AppServices = Layer.Layer.Success<AppLayer>
