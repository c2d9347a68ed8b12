export * from "./authzModule.js"
export * from "./explainResponse.js"
