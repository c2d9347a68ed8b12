export * from "./Authenticator.js"
