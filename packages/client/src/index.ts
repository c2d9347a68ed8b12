export * from "./AtomClient.js"
export * from "./AtomClientError.js"
export * from "./documents.js"
export * from "./TypedDocument.js"
