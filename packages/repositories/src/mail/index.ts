export * from "./MailOutbox.js"
