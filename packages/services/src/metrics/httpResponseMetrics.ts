import type { Counter } from "./Counter.js"
import type { Histogram } from "./Histogram.js"

interface RouteSeries {
  readonly duration: (seconds: number) => void
  /** by status, then method: a few of each per route */
  readonly requests: Map<number, Map<string, (by?: number) => void>>
}

/**
 * The HTTP server's `onResponse`: one request counted by method, route pattern and status, and its
 * duration observed by route. Each series is bound the first time it is met, so a response costs
 * three map lookups and no label objects or keys. Routes are patterns (or `unmatched`) and node
 * accepts only known methods, so the maps stay small.
 */
export const httpResponseMetrics = (
  requests: Counter<"method" | "route" | "status">,
  duration: Histogram<"route">,
): ((route: string, status: number, ms: number, method: string) => void) => {
  const routes = new Map<string, RouteSeries>()
  return (route, status, ms, method) => {
    let series = routes.get(route)
    if (series === undefined) {
      series = { duration: duration.bind({ route }), requests: new Map() }
      routes.set(route, series)
    }
    let byMethod = series.requests.get(status)
    if (byMethod === undefined) {
      byMethod = new Map()
      series.requests.set(status, byMethod)
    }
    let count = byMethod.get(method)
    if (count === undefined) {
      count = requests.bind({ method, route, status: String(status) })
      byMethod.set(method, count)
    }
    count()
    series.duration(ms / 1000)
  }
}
