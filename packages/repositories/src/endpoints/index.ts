export * from "./ApiEndpointExecutions.js"
export * from "./ApiEndpoints.js"
