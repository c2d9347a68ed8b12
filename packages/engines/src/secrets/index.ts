export * from "./constantTime.js"
export * from "./encoding.js"
export * from "./kek.js"
