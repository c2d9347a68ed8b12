export * from "./Caller.js"
