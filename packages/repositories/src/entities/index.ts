import { Layer } from "effect"
import { AuthzReferences } from "./AuthzReferences.js"
import { Entities } from "./Entities.js"
import { EntityProfiles } from "./EntityProfiles.js"
import { Ownerships } from "./Ownerships.js"
import { TombstonePurges } from "./TombstonePurges.js"

export * from "./AuthzReferences.js"
export * from "./Entities.js"
export * from "./EntityProfiles.js"
export * from "./EntityRow.js"
export * from "./listedObjects.js"
export * from "./Ownerships.js"
export * from "./sqlFilters.js"
export * from "./TombstonePurges.js"

/** Every repository of the entities area. */
export const EntityRepositoriesLive = Layer.mergeAll(
  Entities.Default,
  Ownerships.Default,
  EntityProfiles.Default,
  AuthzReferences.Default,
  TombstonePurges.Default,
)
