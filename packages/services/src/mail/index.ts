export * from "./emailTemplates.js"
export * from "./Mailer.js"
export * from "./smtpDelivery.js"
