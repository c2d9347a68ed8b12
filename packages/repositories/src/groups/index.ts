import { Layer } from "effect"
import { Containment } from "./Containment.js"
import { GroupHierarchy } from "./GroupHierarchy.js"
import { GroupMembers } from "./GroupMembers.js"
import { Groups } from "./Groups.js"

export * from "./Containment.js"
export * from "./GroupHierarchy.js"
export * from "./GroupMembers.js"
export * from "./GroupRow.js"
export * from "./Groups.js"

/** Every repository of the groups area. */
export const GroupRepositoriesLive = Layer.mergeAll(
  Groups.Default,
  GroupHierarchy.Default,
  GroupMembers.Default,
  Containment.Default,
)
