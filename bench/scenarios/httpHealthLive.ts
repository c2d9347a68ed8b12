import { HEALTH_LIVE_BODY } from "../lib/floors.js"
import { defineScenario } from "../lib/scenario.js"

export default defineScenario({
  name: "http-health-live",
  description: "GET /health/live through Atom's HTTP router",
  baseline: "http-floor",
  run: (ctx) => ctx.http({ url: `${ctx.atom.httpUrl}/health/live`, expectBody: HEALTH_LIVE_BODY }),
})
