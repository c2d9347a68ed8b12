export * from "./certificatesModule.js"
