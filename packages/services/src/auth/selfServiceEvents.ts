import { type AuditEvent, AuditEventName } from "@atom/domain/audit"

/** `auth.signup {name, email}`: allow with the new entity, or deny for a refused request (identity-certs §1.6). */
export const signupEvent = (
  outcome: "allow" | "deny",
  facts: { readonly name: string; readonly email: string },
  entityId: string | null,
  reason?: string,
): AuditEvent => ({
  event: AuditEventName.authSignup,
  outcome,
  actorId: entityId,
  tenantId: null,
  targetKind: entityId === null ? null : "entity",
  targetId: entityId,
  details: { name: facts.name, email: facts.email, ...(reason === undefined ? {} : { reason }) },
})

/** `auth.email_verify`: an address was confirmed with its one-time token. */
export const emailVerifiedEvent = (entityId: string, tenantId: string | null): AuditEvent => ({
  event: AuditEventName.authEmailVerify,
  outcome: "allow",
  actorId: entityId,
  tenantId,
  targetKind: "entity",
  targetId: entityId,
})

/** `auth.password_reset`: passwords replaced and every session ended, by a reset token. */
export const passwordResetEvent = (entityId: string, tenantId: string | null): AuditEvent => ({
  event: AuditEventName.authPasswordReset,
  outcome: "allow",
  actorId: entityId,
  tenantId,
  targetKind: "entity",
  targetId: entityId,
  details: { passwords_revoked: true, sessions_revoked: true },
})
