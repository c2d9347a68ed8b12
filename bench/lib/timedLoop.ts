import { LatencySamples, type LoadResult } from "./stats.js"

/**
 * Runs `op` back to back (one at a time) for `durationSec`, at least `minOps` times, and reports it as a load
 * run: ops/s over the whole window, percentiles of the time `op` reports (or its wall time when it reports none).
 * For operations too slow or too stateful for a load generator (e.g. regenerating a CRL).
 */
export const timedLoop = async (
  durationSec: number,
  op: () => Promise<number | undefined>,
  minOps = 1,
): Promise<LoadResult> => {
  const samples = new LatencySamples(1 << 16)
  let ok = 0
  let errors = 0
  let measuredMs = 0
  let lastError: unknown
  const started = performance.now()
  const deadline = started + durationSec * 1000
  while (ok + errors < minOps || performance.now() < deadline) {
    const t0 = performance.now()
    try {
      const reported = await op()
      const ms = reported ?? performance.now() - t0
      samples.add(ms)
      measuredMs += ms
      ok++
    } catch (e) {
      errors++
      lastError = e
    }
  }
  if (ok === 0 && lastError !== undefined) throw lastError
  const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
  return {
    // the rate of the measured part alone, so setup between operations does not count against it
    opsPerSec: measuredMs > 0 ? ok / (measuredMs / 1000) : 0,
    p50Ms: p50,
    p99Ms: p99,
    ok,
    errors,
    elapsedSec: (performance.now() - started) / 1000,
  }
}
