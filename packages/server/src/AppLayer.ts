import { AtomConfig, type AtomConfigShape } from "@atom/domain/config"
import { DbLive, runMigrations } from "@atom/repositories/db"
import {
  IdentityEntities,
  LoginAttempts,
  Passwords,
  Sessions,
  SigningKeys,
  TenantRefs,
} from "@atom/repositories/identity"
import { BootstrapAdmin, JwtAuthenticatorLive, Kek, KeyRing, Login, SessionService } from "@atom/services/auth"
import { ListenerStatus, Readiness, ReadinessProbes } from "@atom/services/health"
import { PasswordHasher } from "@atom/services/passwords"
import { RateLimiter } from "@atom/services/ratelimit"
import { Effect, Layer } from "effect"
import { GateLayer } from "./gateLayer.js"
import { LoggingLive } from "./logging.js"

export interface AppOptions {
  /** A PGlite image (see test support) to start an in-memory database from, skipping cold init. */
  readonly pgliteImage?: Blob | undefined
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
  LoginAttempts.Default,
  TenantRefs.Default,
  SigningKeys.Default,
)

/** Things that hold keys or threads: KEK, password hashing, signing keys. */
const Infrastructure = Layer.mergeAll(PasswordHasher.layer, KeyRing.Live).pipe(Layer.provideMerge(Kek.Live))

/** Use cases; the gate and the PDP first, since every other use case asks them. */
const Services = Layer.mergeAll(Login.Default, SessionService.Default, JwtAuthenticatorLive, RateLimiter.Live).pipe(
  Layer.provideMerge(GateLayer),
)

const SigningKeysProbe = Layer.effect(
  ReadinessProbes,
  Effect.map(KeyRing, (keys) => [
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
  const Core = BootstrapAdmin.pipe(Layer.provideMerge(Infrastructure), Layer.provideMerge(Repositories))
  const Ready = Readiness.Default.pipe(Layer.provide(SigningKeysProbe))
  return Layer.mergeAll(Services, Ready).pipe(
    Layer.provideMerge(Core),
    Layer.provideMerge(Base),
    Layer.provideMerge(LoggingLive(config.log)),
  )
}

export type AppLayer = ReturnType<typeof makeAppLayer>
export type AppServices = Layer.Layer.Success<AppLayer>
