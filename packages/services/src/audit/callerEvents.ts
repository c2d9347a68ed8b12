import { type AuditEvent, AuditEventName } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"

/** `auth.logout`: the caller ended its own session (a no-op for access tokens, still recorded). */
export const logoutEvent = (caller: Caller): AuditEvent => ({
  event: AuditEventName.authLogout,
  outcome: "allow",
  actorId: caller.entityId,
  tenantId: caller.tenantId,
  targetKind: caller.sessionId === null ? "entity" : "session",
  targetId: caller.sessionId ?? caller.entityId,
  details: { token_kind: caller.tokenKind },
})

/** `signing_key.rotate` (GraphQL path, identity-certs §4): recorded in the rotation's transaction. */
export const signingKeyRotateEvent = (caller: Caller): AuditEvent => ({
  event: AuditEventName.signingKeyRotate,
  outcome: "allow",
  actorId: caller.entityId,
  tenantId: caller.tenantId,
  targetKind: "signing_key",
  details: { via: "graphql" },
})
