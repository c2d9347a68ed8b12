import { Layer } from "effect"
import { ReadAccessLive } from "../entities/index.js"
import { GroupService } from "./GroupService.js"

export * from "./GroupService.js"
export * from "./objectGroupPlacement.js"

/** The groups area's use cases; needs its repositories, the entities ones and the Gate. */
export const GroupsLive = GroupService.Default.pipe(Layer.provide(ReadAccessLive))
