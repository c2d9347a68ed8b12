import { Resources } from "./Resources.js"

export * from "./ResourceRow.js"
export * from "./Resources.js"

/** Every repository of the resources area. */
export const ResourceRepositoriesLive = Resources.Default
