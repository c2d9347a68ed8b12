export * from "./authzServiceMethods.js"
