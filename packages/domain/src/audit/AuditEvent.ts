import type { AuditOutcome } from "./AuditOutcome.js"

/** Where a request came from, when the transport knows it: every audit event may carry it. */
export interface AuditRequestInfo {
  readonly clientIp?: string | null | undefined
  readonly userAgent?: string | null | undefined
  readonly requestId?: string | null | undefined
}

/**
 * One security event as a use case reports it. Ids that are not UUIDs are kept in `details` instead;
 * `details` is scrubbed of secrets before it is stored or queued (identity-certs §4).
 */
export interface AuditEvent extends AuditRequestInfo {
  readonly event: string
  readonly outcome: AuditOutcome
  readonly actorId?: string | null | undefined
  readonly tenantId?: string | null | undefined
  readonly targetKind?: string | null | undefined
  readonly targetId?: string | null | undefined
  readonly details?: Readonly<Record<string, unknown>> | undefined
  /** when it happened; now when absent */
  readonly at?: Date | undefined
}
