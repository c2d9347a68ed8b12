export * from "./AtomConfig.js"
