import type { BenchContext } from "../lib/scenario.js"

export const AUTH_SERVICE = "atom.v1.AuthService"

/** A reply naming the expected entity. */
export const authenticatedAs =
  (entityId: () => string) =>
  (response: unknown): boolean =>
    typeof response === "object" && response !== null && "entity_id" in response && response.entity_id === entityId()

/** AuthService/Authenticate of `token` under load, checked to name `entityId`. */
export const authenticateLoad = (ctx: BenchContext, token: () => string, entityId: () => string) =>
  ctx.grpc({
    address: ctx.atom.grpcAddress,
    method: ctx.unary(AUTH_SERVICE, "Authenticate"),
    request: { token: token() },
    check: authenticatedAs(entityId),
  })
