import { AtomConfig, type RateLimitCategory } from "@atom/domain/config"
import { Context, Effect, Layer } from "effect"

export interface Admission {
  readonly allowed: boolean
  /** Seconds until the window resets (at least 1) when refused. */
  readonly retryAfterSecs: number
}

interface Bucket {
  readonly windowMs: number
  windowStart: number
  count: number
}

const ALLOWED: Admission = { allowed: true, retryAfterSecs: 0 }
const SWEEP_EVERY = 10_000

/**
 * Fixed-window counters per (category, client) in this process (identity-certs §6.2).
 * Synchronous: it runs before every limited request, so it must cost a map lookup, nothing more.
 */
export class RateLimiter extends Context.Tag("atom/RateLimiter")<
  RateLimiter,
  {
    readonly admit: (category: RateLimitCategory, client: string, now?: number) => Admission
    readonly rejections: () => ReadonlyMap<RateLimitCategory, number>
  }
>() {
  static readonly Live = Layer.effect(
    RateLimiter,
    Effect.map(AtomConfig, (config) => {
      const policies = new Map(config.rateLimit.policies.map((p) => [p.category, p]))
      const buckets = new Map<string, Bucket>()
      const rejected = new Map<RateLimitCategory, number>()
      let sinceSweep = 0
      const sweep = (now: number) => {
        for (const [key, b] of buckets) if (now - b.windowStart >= b.windowMs) buckets.delete(key)
      }
      const admit = (category: RateLimitCategory, client: string, now = Date.now()): Admission => {
        const policy = policies.get(category)
        if (!config.rateLimit.enabled || !policy) return ALLOWED
        if (++sinceSweep >= SWEEP_EVERY) {
          sinceSweep = 0
          sweep(now)
        }
        const key = `${category}|${client}`
        const windowMs = policy.windowSecs * 1000
        let bucket = buckets.get(key)
        if (!bucket || now - bucket.windowStart >= windowMs) {
          bucket = { windowMs, windowStart: now, count: 0 }
          buckets.set(key, bucket)
        }
        if (bucket.count >= policy.maxRequests) {
          rejected.set(category, (rejected.get(category) ?? 0) + 1)
          return {
            allowed: false,
            retryAfterSecs: Math.max(1, Math.ceil((bucket.windowStart + windowMs - now) / 1000)),
          }
        }
        bucket.count++
        return ALLOWED
      }
      return { admit, rejections: () => rejected }
    }),
  )
}
