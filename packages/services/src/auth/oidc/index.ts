export * from "./configuredOidcProviders.js"
export * from "./OAuthLogin.js"
export * from "./OidcDiscovery.js"
export * from "./OidcHttp.js"
