import { AtomConfig, type AtomConfigShape } from "@atom/domain/config"
import { DbLive, runMigrations } from "@atom/repositories/db"
import { ListenerStatus, Readiness } from "@atom/services/health"
import { RateLimiter } from "@atom/services/ratelimit"
import { Effect, Layer } from "effect"
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

/** Everything the handlers need, built once: database (migrated), listeners' status, readiness. */
export const makeAppLayer = (config: AtomConfigShape, options: AppOptions = {}) => {
  const Config = Layer.succeed(AtomConfig, config)
  const Db = DbLive({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pool: config.db,
    pgliteImage: options.pgliteImage,
  })
  const Base = Layer.mergeAll(Config, ListenerStatus.Live, Layer.provideMerge(Migrations, Db))
  const Services = Layer.mergeAll(Readiness.Default, RateLimiter.Live)
  return Services.pipe(Layer.provideMerge(Base), Layer.provideMerge(LoggingLive(config.log)))
}

export type AppLayer = ReturnType<typeof makeAppLayer>
export type AppServices = Layer.Layer.Success<AppLayer>
