import type { AuditEvent } from "@atom/domain/audit"

/** `entity.create` for a human onboarded by its first OIDC sign-in (recorded in that transaction). */
export const oidcEntityCreateEvent = (entityId: string, provider: string, name: string): AuditEvent => ({
  event: "entity.create",
  outcome: "allow",
  actorId: entityId,
  tenantId: null,
  targetKind: "entity",
  targetId: entityId,
  details: { via: "oidc", provider, name, kind: "human" },
})

/** `auth.oauth_link`: an OIDC identity was linked to an existing entity by its verified email. */
export const oidcLinkEvent = (entityId: string, provider: string): AuditEvent => ({
  event: "auth.oauth_link",
  outcome: "allow",
  actorId: entityId,
  tenantId: null,
  targetKind: "entity",
  targetId: entityId,
  details: { provider },
})

/** `auth.login` for an exchange-code sign-in (hot path: allows are kept only when configured). */
export const oidcLoginEvent = (entityId: string | null, reason: string | null): AuditEvent => ({
  event: "auth.login",
  outcome: entityId === null ? "deny" : "allow",
  actorId: entityId,
  targetKind: entityId === null ? null : "entity",
  targetId: entityId,
  details: { credential_kind: "oauth_exchange", ...(reason === null ? {} : { reason }) },
})
