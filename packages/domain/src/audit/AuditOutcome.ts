import { Schema } from "effect"

/** How an audited operation ended (identity-certs §4): the `outcome` column and the GraphQL enum. */
export const AuditOutcome = Schema.Literal("allow", "deny", "error")
export type AuditOutcome = typeof AuditOutcome.Type
