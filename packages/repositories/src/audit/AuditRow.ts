import { AuditDetails, AuditOutcome } from "@atom/domain/audit"
import { Schema } from "effect"

/** Details are read as text: the result-name transform would camelCase the keys of a jsonb object. */
const DetailsText = Schema.parseJson(AuditDetails)

/**
 * The columns every audit read selects (see AUDIT_COLUMNS), hashes as hex. Statements that ORDER BY
 * chain_seq must qualify it (`a.chain_seq`): the text alias below would otherwise sort "10" before "9".
 */
export const AuditRow = Schema.Struct({
  id: Schema.String,
  createdAt: Schema.DateFromSelf,
  actorId: Schema.NullOr(Schema.String),
  tenantId: Schema.NullOr(Schema.String),
  targetKind: Schema.NullOr(Schema.String),
  targetId: Schema.NullOr(Schema.String),
  event: Schema.String,
  outcome: AuditOutcome,
  details: DetailsText,
  clientIp: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String),
  requestId: Schema.NullOr(Schema.String),
  chainId: Schema.String,
  chainSeq: Schema.NumberFromString,
  prevHash: Schema.NullOr(Schema.String),
  hash: Schema.String,
})
export type AuditRow = typeof AuditRow.Type

/** A row with its exact timestamp text, for keyset paging newest first. */
export const AuditPageRow = Schema.Struct({ ...AuditRow.fields, cursorAt: Schema.String })
export type AuditPageRow = typeof AuditPageRow.Type

export const AUDIT_COLUMNS = `id, created_at, actor_id, tenant_id, target_kind, target_id, event, outcome,
  details::text AS details, client_ip, user_agent, request_id, chain_id, chain_seq::text AS chain_seq,
  encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash`

export const ChainHeadRow = Schema.Struct({
  chainSeq: Schema.NumberFromString,
  hash: Schema.String,
  createdAt: Schema.DateFromSelf,
})

export const DeletedLinkRow = Schema.Struct({
  chainId: Schema.String,
  chainSeq: Schema.NumberFromString,
  hash: Schema.String,
})
export type DeletedLinkRow = typeof DeletedLinkRow.Type
