import { Readiness } from "@atom/services/health"
import { Effect } from "effect"
import { json, type Route } from "../Route.js"

const LIVE = json(200, { status: "ok" })

const ready = Effect.map(Readiness, (r) => r.report).pipe(
  Effect.flatten,
  Effect.map((report) => json(report.ready ? 200 : 503, report.body)),
)

/** Liveness needs nothing; readiness asks every component (api.md §1.3). */
export const healthRoutes: ReadonlyArray<Route<Readiness>> = [
  { method: "GET", path: "/health/live", handler: () => Effect.succeed(LIVE) },
  { method: "GET", path: "/health/ready", handler: () => ready },
  { method: "GET", path: "/health", handler: () => ready },
]
