import type { AtomConfigShape } from "@atom/domain/config"
import { DbLive, runMigrations } from "@atom/repositories/db"
import { Console, Effect } from "effect"

/** `atom migrate`: apply what is pending, say what was applied, exit. */
export const runMigrateCommand = (config: AtomConfigShape) =>
  Effect.runPromise(
    runMigrations().pipe(
      Effect.flatMap((applied) =>
        Console.log(
          applied.length === 0
            ? "database schema is up to date"
            : `applied ${applied.length} migrations: ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`,
        ),
      ),
      Effect.provide(DbLive({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.db })),
    ),
  )
