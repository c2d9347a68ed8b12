export * from "./graphqlRequests.js"
export * from "./hostile.js"
export * from "./mutate.js"
export * from "./rpcRequests.js"
