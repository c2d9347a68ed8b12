import { type AtomMetrics, scrapeMetrics, TEXT_FORMAT } from "@atom/services/metrics"
import { Effect } from "effect"
import type { Route } from "../Route.js"

/**
 * `GET /metrics` (identity-certs §6.3): Prometheus text, unauthenticated (restrict it on the network).
 * Registered only when ATOM_METRICS_ENABLED, so it answers 404 otherwise, as an unmounted route does.
 */
export const metricsRoutes: ReadonlyArray<Route<AtomMetrics>> = [
  {
    method: "GET",
    path: "/metrics",
    handler: () =>
      Effect.map(scrapeMetrics, (body) => ({ status: 200, headers: { "content-type": TEXT_FORMAT }, body })),
  },
]
