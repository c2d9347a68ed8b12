import { AuditOutcome, type PreparedAuditEvent } from "@atom/domain/audit"
import { Schema } from "effect"

/** Guards for what crosses to the audit writer process (a structured clone, read as unknown there). */
export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const isTextOrNull = (u: unknown): u is string | null => u === null || typeof u === "string"

export const isOutcome = Schema.is(AuditOutcome)

/** An event as the queue prepared it, after a structured clone (dates stay dates). */
export const isPreparedEvent = (u: unknown): u is PreparedAuditEvent =>
  isRecord(u) &&
  typeof u.id === "string" &&
  u.createdAt instanceof Date &&
  isTextOrNull(u.actorId) &&
  isTextOrNull(u.tenantId) &&
  isTextOrNull(u.targetKind) &&
  isTextOrNull(u.targetId) &&
  typeof u.event === "string" &&
  isOutcome(u.outcome) &&
  isRecord(u.details) &&
  !Array.isArray(u.details) &&
  isTextOrNull(u.clientIp) &&
  isTextOrNull(u.userAgent) &&
  isTextOrNull(u.requestId)
