import { Layer } from "effect"
import { AuthzState } from "../authz/AuthzState.js"
import { EntityService } from "./EntityService.js"
import { ProfileSchemas } from "./ProfileSchemas.js"
import { ReadAccess } from "./ReadAccess.js"

export * from "./activeTenant.js"
export * from "./adminScopes.js"
export * from "./aliasInput.js"
export * from "./EntityService.js"
export * from "./ProfileSchemas.js"
export * from "./ReadAccess.js"
export * from "./resolveEntityProfile.js"
export * from "./selfUpdate.js"
export * from "./TombstonePurge.js"
export * from "./transactionally.js"

/**
 * Read decisions on the PDP's shared state. AuthzState.Live is one value, so this shares the Gate's
 * revision-checked cache (layers are memoised by reference).
 */
export const ReadAccessLive = ReadAccess.Default.pipe(Layer.provide(AuthzState.Live))

/** The entities area's use cases; needs its repositories, the identity ones and the Gate. */
export const EntitiesLive = EntityService.Default.pipe(
  Layer.provide(Layer.merge(ReadAccessLive, ProfileSchemas.Default)),
)
