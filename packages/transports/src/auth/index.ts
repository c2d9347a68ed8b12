export * from "./presentedToken.js"
