export * from "./auth/authModule.js"
export * from "./GraphqlContext.js"
export * from "./healthModule.js"
export * from "./makeYoga.js"
