export * from "./Certificates.js"
export * from "./CrlStates.js"
export * from "./revokeInTransaction.js"
export * from "./rows.js"
