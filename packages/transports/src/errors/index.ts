export * from "./wire.js"
