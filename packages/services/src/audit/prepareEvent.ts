import type { AuditEvent, AuditRequestInfo, PreparedAuditEvent } from "@atom/domain/audit"
import { scrubDetails, storableText } from "@atom/engines/audit"
import { timeOrderedId } from "./timeOrderedId.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_TEXT = 512

const text = (value: string | null | undefined, max = MAX_TEXT): string | null => {
  if (value === undefined || value === null || value === "") return null
  // cut first: a cut can split a surrogate pair, which storableText then mends
  return storableText(value.length > max ? value.slice(0, max) : value)
}

/**
 * An event made ready to queue or store: a fresh time-ordered id (UUIDv7) unless given, a timestamp
 * (milliseconds, as the hash covers it), details scrubbed of secrets, request facts from the event or
 * else the fiber's request. An id column that is not a UUID would fail the whole batch's INSERT, so such
 * a value moves into details.
 */
export const prepareEvent = (
  event: AuditEvent,
  nowMs: number,
  request: AuditRequestInfo,
  id: string = timeOrderedId(nowMs),
): PreparedAuditEvent => {
  const details = scrubDetails(event.details)
  const uuidOrDetail = (field: string, value: string | null | undefined): string | null => {
    if (value === undefined || value === null || value === "") return null
    if (UUID.test(value)) return value.toLowerCase()
    details[field] = text(value)
    return null
  }
  const at = event.at !== undefined && !Number.isNaN(event.at.getTime()) ? event.at.getTime() : nowMs
  return {
    id,
    createdAt: new Date(at),
    actorId: uuidOrDetail("actor_id", event.actorId),
    tenantId: uuidOrDetail("tenant_id", event.tenantId),
    targetKind: text(event.targetKind, 64),
    targetId: uuidOrDetail("target_id", event.targetId),
    event: text(event.event.trim(), 128) ?? "unknown",
    outcome: event.outcome,
    details,
    clientIp: text(event.clientIp ?? request.clientIp, 64),
    userAgent: text(event.userAgent ?? request.userAgent),
    requestId: text(event.requestId ?? request.requestId, 128),
  }
}
