export * from "./certificateService.js"
