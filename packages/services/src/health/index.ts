export * from "./ListenerStatus.js"
export * from "./Readiness.js"
