import { GRAPHQL_HEADERS, GRAPHQL_HEALTH_BODY, GRAPHQL_HEALTH_QUERY } from "../lib/floors.js"
import { defineScenario } from "../lib/scenario.js"

export default defineScenario({
  name: "graphql-health",
  description: "POST /graphql { health } through Atom's yoga",
  baseline: "yoga-floor",
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/graphql`,
      method: "POST",
      headers: GRAPHQL_HEADERS,
      body: GRAPHQL_HEALTH_QUERY,
      expectBody: GRAPHQL_HEALTH_BODY,
    }),
})
