import { Layer } from "effect"
import { AuthzState } from "../authz/AuthzState.js"
import { Pdp } from "../authz/Pdp.js"

/**
 * The PDP and its state for the tenant use cases. AuthzState.Live is one value, so this shares the
 * revision-checked cache with the gate (layers are memoised by reference within one build).
 */
export const TenantAuthz = Layer.provideMerge(Pdp.Live, AuthzState.Live)
