// The part of autocannon 9's API the benchmark uses (the package ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events"

  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      duration?: number
      pipelining?: number
      timeout?: number
      method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
      headers?: Record<string, string>
      body?: string | Buffer
      expectBody?: string
      /** Called with each response body (utf8); false counts as a mismatch. */
      verifyBody?: (body: string) => boolean
      maxOverallRequests?: number
    }
    interface Histogram {
      average: number
      mean: number
      stddev: number
      min: number
      max: number
      p50: number
      p90: number
      p99: number
      total: number
    }
    interface Result {
      duration: number
      errors: number
      timeouts: number
      mismatches: number
      non2xx: number
      resets: number
      "2xx": number
      latency: Histogram
      requests: Histogram & { sent: number }
    }
    interface Instance extends EventEmitter {
      stop(): void
      on(
        event: "response",
        listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
      ): this
      on(event: string, listener: (...args: ReadonlyArray<unknown>) => void): this
    }
  }

  function autocannon(
    options: autocannon.Options,
    done: (err: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance

  export = autocannon
}
