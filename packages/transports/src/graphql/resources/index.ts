export * from "./encodeResource.js"
export * from "./resourcesModule.js"
