export * from "./auditModule.js"
