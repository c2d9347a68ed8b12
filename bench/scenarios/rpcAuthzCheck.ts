import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

let headers: Record<string, string> = {}
let body = ""

/** The same decision as graphql-authz-check through the typed RPC: one NDJSON `Check` request to POST /rpc. */
export default defineScenario({
  name: "rpc-authz-check",
  description: "POST /rpc Check (NDJSON): may the admin read the example-service entity",
  baseline: "http-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    headers = { "content-type": "application/ndjson", authorization: `Bearer ${session.token}` }
    const payload = {
      subjectId: session.entityId,
      action: "read",
      objectKind: "entity",
      objectId: "00000000-0000-0000-0000-000000000003",
    }
    body = `${JSON.stringify({ _tag: "Request", id: "1", tag: "Check", payload, headers: [] })}\n`
  },
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/rpc`,
      method: "POST",
      headers,
      body,
      verifyBody: (text) => text.includes('"value":{"allowed":true,"reason":"allowed","details":null}'),
    }),
})
