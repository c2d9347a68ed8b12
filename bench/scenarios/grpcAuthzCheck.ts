import { defineScenario } from "../lib/scenario.js"
import type { LoadResult } from "../lib/stats.js"
import { grpcMixed } from "../scale/load.js"
import { adminSession } from "./benchSession.js"

let metadata: Record<string, string> = {}
let subject = ""
/** the best closed-loop rate seen so far in this bench run */
let peak = 0
const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"
const HALF_PEAK_SECONDS = 3

const isAllowed = (response: unknown): boolean =>
  typeof response === "object" && response !== null && "allowed" in response && response.allowed === true

/**
 * A live decision, warm: the admin's token and grants are remembered between calls (revision-checked,
 * DESIGN.md §6). After each closed-loop run (the figure in the table), one open-loop run at half the best
 * rate seen so far reports the latency a client sees when the server is not saturated (issue 9: p99 < 2 ms).
 */
export default defineScenario({
  name: "grpc-authz-check",
  description: "atom.v1.AuthzService/Check: may the admin read the example-service entity (seeded catalogue)",
  baseline: "grpc-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    metadata = { authorization: `Bearer ${session.token}` }
    subject = session.entityId
  },
  run: async (ctx): Promise<LoadResult> => {
    const method = ctx.unary("atom.v1.AuthzService", "Check")
    const request = { subject_id: subject, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY }
    const closed = await ctx.grpc({ address: ctx.atom.grpcAddress, method, request, metadata, check: isAllowed })
    peak = Math.max(peak, closed.opsPerSec)
    if (peak > 0) {
      const half = await grpcMixed({
        address: ctx.atom.grpcAddress,
        method,
        requests: [{ request, expect: isAllowed }],
        metadata,
        pace: { durationSec: HALF_PEAK_SECONDS, concurrency: 32, ratePerSec: Math.round(peak / 2) },
      })
      ctx.log(
        `  [half peak] grpc-authz-check at ${Math.round(peak / 2)}/s: ${Math.round(half.opsPerSec)} ops/s` +
          `  p50 ${half.p50Ms.toFixed(2)} ms  p99 ${half.p99Ms.toFixed(2)} ms` +
          (half.errors > 0 ? `  (${half.errors} errors)` : ""),
      )
    }
    return closed
  },
})
