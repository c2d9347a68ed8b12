export * from "./credentialsModule.js"
