export * from "./ip.js"
