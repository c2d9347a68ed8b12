export * from "./RateLimiter.js"
