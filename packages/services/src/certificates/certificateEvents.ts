import type { AuditEvent } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"

// Certificate audit events (identity-certs §3.2–3.3, api.md §6.7), recorded in the change's transaction.

const base = (caller: Caller, tenantId: string | null) => ({
  outcome: "allow" as const,
  actorId: caller.entityId,
  tenantId,
})

/** `certificate.issue` (target = the entity). */
export const certificateIssueEvent = (
  caller: Caller,
  issued: {
    readonly entityId: string
    readonly tenantId: string | null
    readonly credentialId: string
    readonly serialNumber: string
  },
  csr: boolean,
): AuditEvent => ({
  ...base(caller, issued.tenantId),
  event: "certificate.issue",
  targetKind: "entity",
  targetId: issued.entityId,
  details: { credential_id: issued.credentialId, serial_number: issued.serialNumber, csr },
})

/** `certificate.renew` (target = the entity). */
export const certificateRenewEvent = (
  caller: Caller,
  renewed: {
    readonly entityId: string
    readonly tenantId: string | null
    readonly oldSerialNumber: string
    readonly newSerialNumber: string
    readonly newCredentialId: string
  },
): AuditEvent => ({
  ...base(caller, renewed.tenantId),
  event: "certificate.renew",
  targetKind: "entity",
  targetId: renewed.entityId,
  details: {
    entity_id: renewed.entityId,
    old_serial_number: renewed.oldSerialNumber,
    new_serial_number: renewed.newSerialNumber,
    new_credential_id: renewed.newCredentialId,
  },
})

/** `certificate.revoke` (target = the certificate credential). */
export const certificateRevokeEvent = (
  caller: Caller,
  revoked: {
    readonly credentialId: string
    readonly tenantId: string | null
    readonly serialNumber: string
    readonly reason: string
  },
): AuditEvent => ({
  ...base(caller, revoked.tenantId),
  event: "certificate.revoke",
  targetKind: "credential",
  targetId: revoked.credentialId,
  details: { serial_number: revoked.serialNumber, reason: revoked.reason },
})

/** `certificate.revoke_entity` (target = the entity). */
export const certificateRevokeEntityEvent = (
  caller: Caller,
  entity: { readonly entityId: string; readonly tenantId: string | null },
  count: number,
  reason: string,
): AuditEvent => ({
  ...base(caller, entity.tenantId),
  event: "certificate.revoke_entity",
  targetKind: "entity",
  targetId: entity.entityId,
  details: { count, reason },
})
