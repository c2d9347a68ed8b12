import { Layer } from "effect"
import { ReadAccessLive } from "../entities/index.js"
import { ResourceService } from "./ResourceService.js"

export * from "./ResourceService.js"

/** The resources area's use cases; needs its repositories, the entities and groups ones and the Gate. */
export const ResourcesLive = ResourceService.Default.pipe(Layer.provide(ReadAccessLive))
