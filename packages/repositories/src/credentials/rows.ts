import { AccessTokenPermission, CredentialKind, CredentialStatus } from "@atom/domain/credentials"
import { Schema } from "effect"

const TenantStatus = Schema.Literal("active", "inactive", "frozen", "deleted")
const EntityStatus = Schema.Literal("active", "inactive", "suspended")
const EntityKind = Schema.Literal("human", "device", "service", "workload", "application")

/** An active, live entity locked for a credential write. */
export const ActiveEntityRow = Schema.Struct({
  id: Schema.String,
  kind: EntityKind,
  tenantId: Schema.NullOr(Schema.String),
})
export type ActiveEntityRow = typeof ActiveEntityRow.Type

/** An access token with the state of its owner and the owner's tenant: one row per Bearer check. */
export const AccessTokenAuthRow = Schema.Struct({
  credentialId: Schema.String,
  entityId: Schema.String,
  secretHash: Schema.NullOr(Schema.String),
  secretLookupHash: Schema.NullOr(Schema.Uint8ArrayFromSelf),
  status: CredentialStatus,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  lastUsedAt: Schema.NullOr(Schema.DateFromSelf),
  scoped: Schema.Boolean,
  tenantId: Schema.NullOr(Schema.String),
  entityStatus: EntityStatus,
  tenantStatus: Schema.NullOr(TenantStatus),
})
export type AccessTokenAuthRow = typeof AccessTokenAuthRow.Type

/** An access token's owner and lifecycle state, for replace/revoke. */
export const AccessTokenStateRow = Schema.Struct({
  entityId: Schema.String,
  status: CredentialStatus,
  scoped: Schema.Boolean,
})
export type AccessTokenStateRow = typeof AccessTokenStateRow.Type

/** A listed access token; `permissions` is the ceiling as JSON text, in entry order. */
export const AccessTokenListRow = Schema.Struct({
  credentialId: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  identifier: Schema.NullOr(Schema.String),
  status: CredentialStatus,
  scoped: Schema.Boolean,
  permissions: Schema.parseJson(Schema.Array(AccessTokenPermission)),
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  lastUsedAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
})

/** A shared key with what reveal checks: its state, its owner's and the sealed copy. */
export const SharedKeyRevealRow = Schema.Struct({
  status: CredentialStatus,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  secretHash: Schema.NullOr(Schema.String),
  secretCiphertext: Schema.NullOr(Schema.Uint8ArrayFromSelf),
  secretNonce: Schema.NullOr(Schema.Uint8ArrayFromSelf),
  secretKeyId: Schema.NullOr(Schema.String),
  secretEncAlg: Schema.NullOr(Schema.String),
  entityStatus: EntityStatus,
  tenantStatus: Schema.NullOr(TenantStatus),
})
export type SharedKeyRevealRow = typeof SharedKeyRevealRow.Type

/** A verifier row a login may check: a password or a shared key. */
export const VerifierRow = Schema.Struct({
  id: Schema.String,
  secretHash: Schema.String,
})
export type VerifierRow = typeof VerifierRow.Type

export const RevokedRow = Schema.Struct({ kind: CredentialKind })

export const IdRow = Schema.Struct({ id: Schema.String })
export const OwnerRow = Schema.Struct({ entityId: Schema.String, tenantId: Schema.NullOr(Schema.String) })
export const NameRow = Schema.Struct({ name: Schema.String })
export const CountRow = Schema.Struct({ total: Schema.Number })
