import type { AuditEvent } from "../../packages/domain/src/audit/index.js"

/** An allowed `authz.check` event as a decision queues it (`decisionEvent`), for the audit benches. */
export const allowedCheckEvent = (
  actorId: string,
  targetId: string,
  subjectId: string,
  dialect: string,
): AuditEvent => ({
  event: "authz.check",
  outcome: "allow",
  actorId,
  tenantId: null,
  targetKind: "entity",
  targetId,
  details: {
    subject_id: subjectId,
    action: "read",
    object_kind: "entity",
    object_id: targetId,
    dialect,
    reason: "granted by role",
  },
})
