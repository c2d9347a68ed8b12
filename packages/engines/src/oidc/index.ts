export * from "./idToken.js"
export * from "./pkce.js"
export * from "./redirectUrl.js"
export * from "./returnTo.js"
