import autocannon from "autocannon"
import { LatencySamples, type LoadResult } from "./stats.js"

export interface HttpLoadOptions {
  /** Absolute loopback URL, e.g. `http://127.0.0.1:4000/health/live`. */
  readonly url: string
  readonly method?: "GET" | "POST"
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
  /** When set, a 2xx whose body differs counts as an error. */
  readonly expectBody?: string
  /** When set, a 2xx whose body (utf8) it refuses counts as an error (for bodies that differ every time). */
  readonly verifyBody?: (body: string) => boolean
  readonly durationSec: number
  /** Concurrent keep-alive connections (default 32). */
  readonly connections?: number
  /** Requests in flight per connection (default 1). */
  readonly pipelining?: number
  /** Hard cap on requests, so a run is bounded in count as well as time (default 20 M). */
  readonly maxRequests?: number
}

const assertLoopback = (url: string) => {
  const host = new URL(url).hostname
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]")
    throw new Error(`bench only targets loopback, not ${host}`)
}

/** Closed-loop HTTP load with autocannon; latency percentiles come from every response's own timing. */
export const httpLoad = (options: HttpLoadOptions): Promise<LoadResult> => {
  assertLoopback(options.url)
  const samples = new LatencySamples()
  return new Promise<LoadResult>((resolve, reject) => {
    const started = performance.now()
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? "GET",
        headers: { ...options.headers },
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.expectBody !== undefined ? { expectBody: options.expectBody } : {}),
        ...(options.verifyBody !== undefined ? { verifyBody: options.verifyBody } : {}),
        connections: options.connections ?? 32,
        pipelining: options.pipelining ?? 1,
        duration: options.durationSec,
        timeout: 10,
        maxOverallRequests: options.maxRequests ?? 20_000_000,
      },
      (err, result) => {
        if (err) return reject(err)
        const elapsedSec = (performance.now() - started) / 1000
        const ok = Math.max(0, result["2xx"] - result.mismatches)
        const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
        resolve({
          opsPerSec: ok / elapsedSec,
          p50Ms: p50,
          p99Ms: p99,
          ok,
          errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
          elapsedSec,
        })
      },
    )
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) samples.add(responseTimeMs)
    })
  })
}
