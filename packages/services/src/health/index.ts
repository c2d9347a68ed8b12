export * from "./ListenerStatus.js"
export * from "./Readiness.js"
export * from "./SystemStatus.js"
