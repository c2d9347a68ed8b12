import { Schema } from "effect"

const TenantStatus = Schema.Literal("active", "inactive", "frozen", "deleted")
const EntityStatus = Schema.Literal("active", "inactive", "suspended")
const EntityKind = Schema.Literal("human", "device", "service", "workload", "application")

/** An entity with what authentication needs to know about it and its home tenant. */
export const AuthEntityRow = Schema.Struct({
  id: Schema.String,
  kind: EntityKind,
  name: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  status: EntityStatus,
  deleted: Schema.Boolean,
  tenantStatus: Schema.NullOr(TenantStatus),
  tenantDeleted: Schema.NullOr(Schema.Boolean),
})
export type AuthEntityRow = typeof AuthEntityRow.Type

export const PasswordRow = Schema.Struct({
  id: Schema.String,
  identifier: Schema.NullOr(Schema.String),
  secretHash: Schema.String,
})
export type PasswordRow = typeof PasswordRow.Type

export const SessionRow = Schema.Struct({
  id: Schema.String,
  entityId: Schema.String,
  expiresAt: Schema.DateFromSelf,
  revokedAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
})
export type SessionRow = typeof SessionRow.Type

export const EmailRow = Schema.Struct({
  email: Schema.String,
  verified: Schema.Boolean,
})
export type EmailRow = typeof EmailRow.Type

export const SigningKeyRow = Schema.Struct({
  kid: Schema.String,
  status: Schema.Literal("primary", "standby", "retired"),
  publicKeyPem: Schema.String,
  publicJwk: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  privateKeyPem: Schema.NullOr(Schema.String),
  privateKeyCiphertext: Schema.NullOr(Schema.Uint8ArrayFromSelf),
  privateKeyNonce: Schema.NullOr(Schema.Uint8ArrayFromSelf),
  privateKeyKeyId: Schema.NullOr(Schema.String),
  createdAt: Schema.DateFromSelf,
})
export type SigningKeyRow = typeof SigningKeyRow.Type

/** A session with the state of its entity and that entity's tenant: one row per token check. */
export const SessionSubjectRow = Schema.Struct({
  sessionId: Schema.String,
  expiresAt: Schema.DateFromSelf,
  revoked: Schema.Boolean,
  entityId: Schema.String,
  entityStatus: EntityStatus,
  entityDeleted: Schema.Boolean,
  tenantId: Schema.NullOr(Schema.String),
  tenantStatus: Schema.NullOr(TenantStatus),
  tenantDeleted: Schema.NullOr(Schema.Boolean),
})
export type SessionSubjectRow = typeof SessionSubjectRow.Type

export const TenantRefRow = Schema.Struct({
  id: Schema.String,
  status: TenantStatus,
  deleted: Schema.Boolean,
})
export type TenantRefRow = typeof TenantRefRow.Type
