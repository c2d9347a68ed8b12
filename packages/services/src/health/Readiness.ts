import { AtomConfig } from "@atom/domain/config"
import { appliedMigrationCount, DbBackend } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Option, Ref } from "effect"
import { AuditQueue } from "../audit/AuditQueue.js"
import { AuditRetention, retentionRunJson } from "../audit/AuditRetention.js"
import { purgeRunJson, TombstonePurge } from "../entities/TombstonePurge.js"
import { ListenerStatus } from "./ListenerStatus.js"

export type ComponentStatus = "ok" | "disabled" | "degraded" | "error"

export interface Component {
  readonly status: ComponentStatus
  readonly message: string
}

/** A part of Atom that reports its own readiness (signing keys, certificate issuer, …). */
export interface ReadinessProbe {
  readonly name: "signing_keys" | "certificate_issuer"
  readonly check: Effect.Effect<Component>
}

/** The body of `/health/ready` (api.md §1.3), snake_case on the wire. */
export interface ReadinessReport {
  readonly ready: boolean
  readonly body: Record<string, unknown>
}

const component = (status: ComponentStatus, message: string): Component => ({ status, message })

/** Probes registered by later layers; until one registers, the part reports what is true now. */
export class ReadinessProbes extends Context.Reference<ReadinessProbes>()("atom/ReadinessProbes", {
  defaultValue: (): ReadonlyArray<ReadinessProbe> => [],
}) {}

export class Readiness extends Effect.Service<Readiness>()("atom/Readiness", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const db = yield* DbBackend
    const sql = yield* SqlClient.SqlClient
    const listeners = yield* ListenerStatus
    const probes = yield* ReadinessProbes
    const retention = yield* Effect.serviceOption(AuditRetention)
    const auditQueue = yield* Effect.serviceOption(AuditQueue)
    const purge = yield* Effect.serviceOption(TombstonePurge)

    const probe = (name: ReadinessProbe["name"], fallback: Component) =>
      probes.find((p) => p.name === name)?.check ?? Effect.succeed(fallback)

    const report = Effect.gen(function* () {
      const database = yield* db.ping.pipe(
        Effect.as(component("ok", "database reachable")),
        Effect.catchAll(() => Effect.succeed(component("error", "database unreachable"))),
      )
      const migrations =
        database.status === "ok"
          ? yield* appliedMigrationCount.pipe(
              Effect.provideService(SqlClient.SqlClient, sql),
              Effect.map((n) =>
                n > 0 ? component("ok", `${n} migrations applied`) : component("error", "no migrations applied"),
              ),
              Effect.catchAll(() => Effect.succeed(component("error", "migration state unreadable"))),
            )
          : component("error", "database unreachable")
      const httpState = yield* Ref.get(listeners.http)
      const grpcState = yield* Ref.get(listeners.grpc)
      const listener = (s: string) =>
        s === "serving" ? component("ok", "ready") : component(s === "starting" ? "degraded" : "error", "not ready")
      const signingKeys = yield* probe("signing_keys", component("disabled", "signing keys not configured"))
      const issuer = yield* probe("certificate_issuer", component("disabled", "certificate issuer disabled"))
      const grpcReady = listener(grpcState)
      const ready =
        database.status === "ok" &&
        migrations.status === "ok" &&
        (signingKeys.status === "ok" || signingKeys.status === "disabled") &&
        (issuer.status === "ok" || issuer.status === "disabled") &&
        grpcReady.status === "ok" &&
        httpState === "serving"
      const pool = db.poolStats()
      const lastCleanup = Option.isSome(retention) ? yield* retention.value.lastCleanup : undefined
      const queue = Option.map(auditQueue, (q) => q.stats())
      const lastPurge = Option.isSome(purge) ? yield* purge.value.lastRun : undefined
      const body = {
        status: ready ? "ok" : "error",
        http_ready: listener(httpState),
        grpc_ready: grpcReady,
        database,
        migrations,
        signing_keys: signingKeys,
        certificate_issuer: issuer,
        db_pool: {
          max_connections: db.kind === "pglite" ? 1 : config.db.maxConnections,
          min_connections: db.kind === "pglite" ? 1 : config.db.minConnections,
          acquire_timeout_secs: config.db.acquireTimeoutSecs,
          connect_timeout_secs: config.db.connectTimeoutSecs,
          idle_timeout_secs: config.db.idleTimeoutSecs,
          max_lifetime_secs: config.db.maxLifetimeSecs,
          size: pool.size,
          idle: pool.idle,
        },
        signing_key_state: null,
        audit_retention: {
          enabled: config.audit.retentionEnabled,
          days: config.audit.retentionDays,
          cleanup_interval_secs: config.audit.cleanupIntervalSecs,
          cleanup_batch_size: config.audit.cleanupBatchSize,
          last_cleanup: lastCleanup === undefined ? null : retentionRunJson(lastCleanup),
        },
        // ours: the background purge of soft-deleted rows (ATOM_PURGE_*) and this process's latest run
        soft_delete_purge: {
          enabled: config.purge.enabled,
          retention_days: config.purge.retentionDays,
          interval_secs: config.purge.intervalSecs,
          batch_size: config.purge.batchSize,
          last_run: lastPurge === undefined ? null : purgeRunJson(lastPurge),
        },
        audit_queue: Option.match(queue, {
          onNone: () => null,
          onSome: (s) => ({ depth: s.depth, capacity: s.capacity, dropped: s.dropped, failing: s.failing }),
        }),
        rate_limits: {
          enabled: config.rateLimit.enabled,
          policies: config.rateLimit.policies.map((p) => ({
            category: p.category,
            max_requests: p.maxRequests,
            window_secs: p.windowSecs,
          })),
          trusted_proxy_cidrs: config.rateLimit.trustedProxyCidrs.map((c) => c.text),
        },
      }
      return { ready, body } satisfies ReadinessReport
    }).pipe(Effect.withSpan("Readiness.report"))

    return { report } as const
  }),
}) {}
