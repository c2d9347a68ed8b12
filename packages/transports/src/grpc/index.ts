export * from "./credentials.js"
export * from "./GrpcServer.js"
export * from "./loadServices.js"
export * from "./protoFiles.js"
