export * from "./documentProblems.js"
export * from "./endpointsModule.js"
export * from "./inProcessGraphql.js"
