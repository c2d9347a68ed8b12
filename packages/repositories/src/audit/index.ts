export * from "./AuditLogs.js"
export * from "./AuditRetentionRuns.js"
export * from "./AuditRow.js"
export * from "./auditColumns.js"
