export * from "./attributeSchema.js"
