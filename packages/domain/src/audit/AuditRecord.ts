import { Schema } from "effect"
import { AuditOutcome } from "./AuditOutcome.js"

/** JSON object details as stored (`jsonb`, always an object). */
export const AuditDetails = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type AuditDetails = typeof AuditDetails.Type

/**
 * The content of one audit row that its hash covers: everything but the hash itself. `prevHash` is the
 * hash of the previous row of the same chain (hex), null only for `chainSeq = 1`.
 */
export const AuditContent = Schema.Struct({
  id: Schema.UUID,
  createdAt: Schema.DateFromSelf,
  actorId: Schema.NullOr(Schema.String),
  tenantId: Schema.NullOr(Schema.String),
  targetKind: Schema.NullOr(Schema.String),
  targetId: Schema.NullOr(Schema.String),
  event: Schema.String,
  outcome: AuditOutcome,
  details: AuditDetails,
  clientIp: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String),
  requestId: Schema.NullOr(Schema.String),
  chainId: Schema.UUID,
  chainSeq: Schema.Number,
  prevHash: Schema.NullOr(Schema.String),
})
export type AuditContent = typeof AuditContent.Type

/** A stored audit row: its content and its hash (hex SHA-256). */
export const AuditRecord = Schema.Struct({ ...AuditContent.fields, hash: Schema.String })
export type AuditRecord = typeof AuditRecord.Type

/** An event made ready to store: scrubbed, timestamped, with its id; the chain is assigned at write time. */
export type PreparedAuditEvent = Omit<AuditContent, "chainId" | "chainSeq" | "prevHash">
