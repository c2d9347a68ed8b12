export * from "./defaultEmailTemplates.js"
export * from "./emailTemplate.js"
export * from "./linkWithToken.js"
export * from "./redactTokenLinks.js"
