export * from "./authz/index.js"
export * from "./conditions/index.js"
