import { SystemRpcs } from "@atom/domain/rpc"
import { SigningKeyAdmin } from "@atom/services/auth"
import { SystemStatus } from "@atom/services/health"
import { Effect } from "effect"
import { camelKeys } from "../graphql/systemStatusModule.js"
import { asCaller } from "./toRpcError.js"

/** Operator reads and key rotation over RPC: the calls of `systemStatusModule` and `authModule`. */
export const systemHandlers = SystemRpcs.of({
  SystemStatus: () =>
    asCaller((caller) => Effect.flatMap(SystemStatus, (s) => Effect.map(s.report(caller), camelKeys))),
  SigningKeys: () => asCaller((caller) => Effect.flatMap(SigningKeyAdmin, (s) => s.list(caller))),
  RotateSigningKeys: () => asCaller((caller) => Effect.flatMap(SigningKeyAdmin, (s) => s.rotate(caller))),
})
