import { HEALTH_SERVICE, isServing } from "../lib/floors.js"
import { defineScenario } from "../lib/scenario.js"

export default defineScenario({
  name: "grpc-health-check",
  description: "grpc.health.v1.Health/Check (overall service) on Atom's gRPC server",
  baseline: "grpc-floor",
  run: (ctx) =>
    ctx.grpc({
      address: ctx.atom.grpcAddress,
      method: ctx.unary(HEALTH_SERVICE, "Check"),
      request: { service: "" },
      check: isServing,
    }),
})
