export * from "./revision.js"
