import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"
import { authenticateLoad } from "./grpcAuthenticateLoad.js"

let token = ""
let admin = ""

/** AuthService/Authenticate of a session JWT: ES256 verification, then the session, entity and tenant re-read. */
export default defineScenario({
  name: "grpc-authenticate-session",
  description: "atom.v1.AuthService/Authenticate of the admin's session JWT",
  baseline: "grpc-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    token = session.token
    admin = session.entityId
  },
  run: (ctx) =>
    authenticateLoad(
      ctx,
      () => token,
      () => admin,
    ),
})
