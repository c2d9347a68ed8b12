import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

let metadata: Record<string, string> = {}
let subject = ""
const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"

const isAllowed = (response: unknown): boolean =>
  typeof response === "object" && response !== null && "allowed" in response && response.allowed === true

/** A live decision with nothing cached: the admin's grants are loaded and evaluated on every call. */
export default defineScenario({
  name: "grpc-authz-check",
  description: "atom.v1.AuthzService/Check: may the admin read the example-service entity (seeded catalogue)",
  baseline: "grpc-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    metadata = { authorization: `Bearer ${session.token}` }
    subject = session.entityId
  },
  run: (ctx) =>
    ctx.grpc({
      address: ctx.atom.grpcAddress,
      method: ctx.unary("atom.v1.AuthzService", "Check"),
      request: { subject_id: subject, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
      metadata,
      check: isAllowed,
    }),
})
