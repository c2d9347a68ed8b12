export * from "./argon2Pool.js"
export * from "./PasswordHasher.js"
export * from "./passwordPolicy.js"
export * from "./phc.js"
