export * from "./AccountEmail.js"
export * from "./Caller.js"
