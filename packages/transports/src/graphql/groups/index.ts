export * from "./encodeGroup.js"
export * from "./groupsModule.js"
