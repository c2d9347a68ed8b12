export * from "./customEndpointRoutes.js"
