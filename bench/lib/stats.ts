/** Latency samples, percentiles, medians and ratios. */

/** The outcome of one timed load run against one target. */
export interface LoadResult {
  /** Successful operations per second over the measured window. */
  readonly opsPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Successful operations (2xx with the expected body / gRPC OK with the expected reply). */
  readonly ok: number
  /** Transport errors, timeouts, non-2xx, gRPC errors and unexpected bodies. */
  readonly errors: number
  readonly elapsedSec: number
}

/**
 * A bounded sample of latencies (ms): every value is kept until `capacity`, then reservoir sampling keeps a
 * uniform sample of everything seen. Percentiles come from the sorted sample (HdrHistogram-ish, exact below capacity).
 */
export class LatencySamples {
  private readonly values: Float64Array
  private size = 0
  private seen = 0

  constructor(readonly capacity = 1 << 20) {
    this.values = new Float64Array(capacity)
  }

  add(ms: number): void {
    this.seen++
    if (this.size < this.capacity) {
      this.values[this.size++] = ms
      return
    }
    const j = Math.floor(Math.random() * this.seen)
    if (j < this.capacity) this.values[j] = ms
  }

  get count(): number {
    return this.seen
  }

  /** Percentiles (0–100) of the recorded latencies; NaN when nothing was recorded. */
  percentiles(ps: ReadonlyArray<number>): ReadonlyArray<number> {
    const sorted = this.values.slice(0, this.size).sort()
    return ps.map((p) => percentileOfSorted(sorted, p))
  }
}

/** Nearest-rank percentile of an ascending array; NaN for an empty one. */
export const percentileOfSorted = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN
}

/** Median of the finite values (mean of the middle two for an even count); NaN when there are none. */
export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  const hi = sorted[mid] ?? Number.NaN
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? Number.NaN) + hi) / 2
}

/** `a / b`, or NaN when either is missing or b is 0. */
export const ratio = (a: number, b: number): number =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN

export interface Summary {
  readonly runs: number
  readonly medianOpsPerSec: number
  readonly minOpsPerSec: number
  readonly maxOpsPerSec: number
  /** Median over runs of each run's p50 / p99. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
}

export const summarize = (results: ReadonlyArray<LoadResult>): Summary => {
  const ops = results.map((r) => r.opsPerSec)
  return {
    runs: results.length,
    medianOpsPerSec: median(ops),
    minOpsPerSec: ops.length > 0 ? Math.min(...ops) : Number.NaN,
    maxOpsPerSec: ops.length > 0 ? Math.max(...ops) : Number.NaN,
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((n, r) => n + r.errors, 0),
  }
}
