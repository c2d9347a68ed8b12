export * from "./rpcAuthentication.js"
export * from "./rpcEndpoint.js"
export * from "./rpcHandlers.js"
export * from "./toRpcError.js"
