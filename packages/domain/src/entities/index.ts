export * from "./Entity.js"
export * from "./EntityFilter.js"
export * from "./Ownership.js"
export * from "./parentGroupAttribute.js"
