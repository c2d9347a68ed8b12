export * from "./Group.js"
export * from "./GroupFilter.js"
export * from "./GroupType.js"
export * from "./wellKnownGroups.js"
