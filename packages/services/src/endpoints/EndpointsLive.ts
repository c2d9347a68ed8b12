import { Layer } from "effect"
import { JwtAuthenticatorLive } from "../auth/JwtAuthenticator.js"
import { ApiEndpointService } from "./ApiEndpointService.js"
import { EndpointExecutor } from "./EndpointExecutor.js"
import { ExecutionLog } from "./ExecutionLog.js"

/** The endpoint builder's use cases, with the execution log they share and the authenticator the executor uses. */
export const EndpointsLive = Layer.mergeAll(ApiEndpointService.Default, EndpointExecutor.Default).pipe(
  Layer.provideMerge(ExecutionLog.Live),
  Layer.provide(JwtAuthenticatorLive),
)
