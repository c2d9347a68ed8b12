export * from "./callerField.js"
export * from "./encodeEntity.js"
export * from "./entitiesModule.js"
export * from "./graphqlArgs.js"
