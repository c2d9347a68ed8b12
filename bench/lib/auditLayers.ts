import { Effect, Layer } from "effect"
import { AtomConfig } from "../../packages/domain/src/config/index.js"
import { AuditLogs } from "../../packages/repositories/src/audit/index.js"
import { DbLive, runMigrations } from "../../packages/repositories/src/db/index.js"
import { loadConfig } from "../../packages/server/src/config/loadConfig.js"
import { AuditChains } from "../../packages/services/src/audit/index.js"
import { AtomMetrics } from "../../packages/services/src/metrics/index.js"

/**
 * What the in-process audit benches run on: the configuration (in-memory PGlite, or `DATABASE_URL` from the
 * environment, plus `env`) and the audit chains over a migrated database, with metrics and the config.
 */
export const auditBenchLayers = (env: Readonly<Record<string, string>> = {}) => {
  const config = Effect.runSync(
    loadConfig({
      ATOM_DATA_DIR: "memory://",
      ATOM_LOG_LEVEL: "warn",
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      ...env,
    }),
  )
  const Db = DbLive({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.db })
  const Migrated = Layer.effectDiscard(runMigrations()).pipe(Layer.provideMerge(Db))
  const layer = AuditChains.Live.pipe(
    Layer.provideMerge(AuditLogs.Default),
    Layer.provideMerge(AtomMetrics.Live),
    Layer.provideMerge(Layer.succeed(AtomConfig, config)),
    Layer.provideMerge(Migrated),
  )
  return { config, layer }
}
