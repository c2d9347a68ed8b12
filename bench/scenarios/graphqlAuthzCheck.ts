import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

let headers: Record<string, string> = {}
let body = ""

/** The same decision as grpc-authz-check through GraphQL `authzCheck`, with Bearer authentication. */
export default defineScenario({
  name: "graphql-authz-check",
  description: "POST /graphql authzCheck: may the admin read the example-service entity",
  baseline: "yoga-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    headers = { "content-type": "application/json", authorization: `Bearer ${session.token}` }
    body = JSON.stringify({
      query: `mutation { authzCheck(input: {subjectId: "${session.entityId}", action: "read", objectKind: "entity", objectId: "00000000-0000-0000-0000-000000000003"}) { allowed reason } }`,
    })
  },
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/graphql`,
      method: "POST",
      headers,
      body,
      expectBody: '{"data":{"authzCheck":{"allowed":true,"reason":"allowed"}}}',
    }),
})
