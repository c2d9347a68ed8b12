import type { SqlError } from "@effect/sql/SqlError"
import { Context, type Effect } from "effect"

export interface PoolStats {
  readonly size: number
  readonly idle: number
}

/** Facts about the database behind SqlClient that health and metrics report. */
export interface DbBackendShape {
  readonly kind: "postgres" | "pglite"
  /** One trivial round trip, bounded in time: the readiness probe. */
  readonly ping: Effect.Effect<void, SqlError>
  readonly poolStats: () => PoolStats
}

export class DbBackend extends Context.Tag("atom/DbBackend")<DbBackend, DbBackendShape>() {}
