export * from "./clientAddress.js"
export * from "./HttpServer.js"
export * from "./Route.js"
export * from "./routes/health.js"
