import type { RateLimitCategory } from "@atom/domain/config"
import { DbBackend } from "@atom/repositories/db"
import { Context, Effect, Layer, Option } from "effect"
import { RateLimiter } from "../ratelimit/RateLimiter.js"
import { Counter } from "./Counter.js"
import { Gauge } from "./Gauge.js"
import { Histogram } from "./Histogram.js"
import { MetricRegistry } from "./MetricRegistry.js"

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const makeInstruments = (registry: MetricRegistry) => ({
  httpRequests: registry.register(
    new Counter("atom_http_requests_total", "HTTP requests by method, route pattern and status", [
      "method",
      "route",
      "status",
    ]),
  ),
  httpDuration: registry.register(
    new Histogram(
      "atom_http_request_duration_seconds",
      "HTTP request duration by route pattern",
      ["route"],
      LATENCY_BUCKETS,
    ),
  ),
  authzDecision: registry.register(
    new Histogram(
      "atom_authz_decision_duration_seconds",
      "Authorization check duration by result",
      ["result"],
      LATENCY_BUCKETS,
    ),
  ),
  logins: registry.register(new Counter("atom_auth_login_total", "Login attempts by outcome", ["outcome"])),
  auditWriteFailures: registry.register(
    new Counter("atom_audit_write_failures_total", "Audit INSERT statements that failed"),
  ),
  auditSuppressed: registry.register(
    new Counter("atom_audit_db_suppressed_total", "Hot-path allow events not stored (by configuration)", ["category"]),
  ),
  auditWritten: registry.register(new Counter("atom_audit_events_written_total", "Audit rows written")),
  auditDropped: registry.register(
    new Counter("atom_audit_queue_dropped_total", "Audit events dropped because the queue was full or shut down"),
  ),
  auditQueueDepth: registry.register(new Gauge("atom_audit_queue_depth", "Audit events waiting to be written")),
  auditQueueCapacity: registry.register(
    new Gauge("atom_audit_queue_capacity", "Audit events the queue holds before it drops (ATOM_AUDIT_QUEUE_CAPACITY)"),
  ),
  rateLimitRejections: registry.register(
    new Counter("atom_rate_limit_rejections_total", "Requests refused by the rate limiter", ["category"]),
  ),
  dbPool: registry.register(new Gauge("atom_db_pool_connections", "Database pool connections", ["state"])),
  authzCacheLookups: registry.register(
    new Counter("atom_authz_cache_lookups_total", "PDP cache lookups by cache (subject, object, ceiling) and result", [
      "cache",
      "result",
    ]),
  ),
  authzCacheInvalidations: registry.register(
    new Counter("atom_authz_cache_invalidations_total", "PDP caches dropped because the authz revision moved"),
  ),
  authzCacheEvictions: registry.register(
    new Counter("atom_authz_cache_evictions_total", "PDP cache entries dropped by the size bound", ["cache"]),
  ),
  authzRevisionProbes: registry.register(
    new Counter("atom_authz_revision_probes_total", "Revision probes: cached decisions confirmed by a database read"),
  ),
  tokenCacheLookups: registry.register(
    new Counter("atom_auth_token_cache_lookups_total", "Verified-token cache lookups by result", ["result"]),
  ),
  tokenCacheInvalidations: registry.register(
    new Counter("atom_auth_token_cache_invalidations_total", "Remembered tokens re-verified after a change"),
  ),
})

export type AtomInstruments = ReturnType<typeof makeInstruments>

/**
 * The process's metrics (identity-certs §6.3): a registry written by hot paths with plain increments and
 * rendered on scrape. Pool and rate-limit series are sampled at scrape time from their owners.
 */
export class AtomMetrics extends Context.Tag("atom/AtomMetrics")<
  AtomMetrics,
  { readonly registry: MetricRegistry; readonly instruments: AtomInstruments }
>() {
  static readonly Live = Layer.sync(AtomMetrics, () => {
    const registry = new MetricRegistry()
    return { registry, instruments: makeInstruments(registry) }
  })
}

/** The exposition text: samples what is sampled (pool, rate limits), then renders every family. */
export const scrapeMetrics = Effect.gen(function* () {
  const metrics = yield* AtomMetrics
  const db = yield* Effect.serviceOption(DbBackend)
  const limiter = yield* Effect.serviceOption(RateLimiter)
  const { instruments } = metrics
  if (Option.isSome(db)) {
    const pool = db.value.poolStats()
    instruments.dbPool.set({ state: "total" }, pool.size)
    instruments.dbPool.set({ state: "idle" }, pool.idle)
  }
  if (Option.isSome(limiter)) {
    const rejections = limiter.value.rejections()
    instruments.rateLimitRejections.collect(() =>
      [...rejections].map(([category, n]) => [{ category: category satisfies RateLimitCategory }, n] as const),
    )
  }
  return metrics.registry.render()
})

/** Runs `f` with the instruments when metrics are wired (the server), else not at all (bare service tests). */
export const withInstruments = (f: (instruments: AtomInstruments) => void): Effect.Effect<void> =>
  Effect.map(Effect.serviceOption(AtomMetrics), (m) => {
    if (Option.isSome(m)) f(m.value.instruments)
  })
