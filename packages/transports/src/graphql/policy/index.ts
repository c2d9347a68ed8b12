export * from "./policyModule.js"
