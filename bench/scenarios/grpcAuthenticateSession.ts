import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"
import { authenticateLoad } from "./grpcAuthenticateLoad.js"

let token = ""
let admin = ""

/**
 * AuthService/Authenticate of a session JWT. The first call verifies the ES256 signature and reads the session, entity
 * and tenant; warm calls are answered from memory while nothing has been announced since (makeRememberedCaller).
 */
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
