export * from "./AtomGrpcClient.js"
export * from "./AtomGrpcError.js"
export * from "./messages.js"
export * from "./protoFiles.js"
