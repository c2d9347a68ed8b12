export * from "./aliasService.js"
export * from "./authService.js"
