import type { AccessToken, Credential, IssuedAccessToken, SharedKeyResult } from "@atom/domain/credentials"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** `Credential`: no secret, times as RFC 3339 with `+00:00`. */
export const encodeCredential = (c: Credential) => ({
  id: c.id,
  entityId: c.entityId,
  kind: c.kind,
  identifier: c.identifier,
  status: c.status,
  expiresAt: graphqlTimeOrNull(c.expiresAt),
  createdAt: graphqlTime(c.createdAt),
})

export const encodeAccessToken = (t: AccessToken) => ({
  credentialId: t.credentialId,
  name: t.name,
  description: t.description,
  identifier: t.identifier,
  status: t.status,
  scoped: t.scoped,
  permissions: t.permissions,
  expiresAt: graphqlTimeOrNull(t.expiresAt),
  lastUsedAt: graphqlTimeOrNull(t.lastUsedAt),
  createdAt: graphqlTime(t.createdAt),
})

/** `AccessTokenResponse`: the only place the token is ever shown. */
export const encodeIssuedAccessToken = (t: IssuedAccessToken) => ({
  credentialId: t.credentialId,
  token: t.token,
  name: t.name,
  description: t.description,
  expiresAt: graphqlTimeOrNull(t.expiresAt),
})

export const encodeSharedKey = (k: SharedKeyResult) => ({
  credentialId: k.credentialId,
  key: k.key,
  expiresAt: graphqlTimeOrNull(k.expiresAt),
})
