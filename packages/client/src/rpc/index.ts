export * from "./AtomRpcClient.js"
