export * from "./ApiEndpoint.js"
export * from "./ApiEndpointExecution.js"
export * from "./EndpointMessages.js"
