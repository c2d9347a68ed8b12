import { Layer } from "effect"
import { AuthzInspection } from "./AuthzInspection.js"
import { AuthzService } from "./AuthzService.js"
import { GateLive } from "./GateLive.js"
import { Pdp } from "./Pdp.js"

/** Every authz service on one shared AuthzState; needs only the SqlClient. */
export const AuthzLive = Layer.mergeAll(GateLive, Pdp.Live, AuthzService.Live, AuthzInspection.Live)
