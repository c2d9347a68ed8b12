import { AuditOutcome } from "@atom/domain/audit"
import { EntityKind, EntityStatus, TenantStatus } from "@atom/domain/authz"
import { SubjectKind } from "@atom/domain/policy"
import { Schema } from "effect"
import { Json } from "./Json.js"

// The contract's output types, as far as the client's documents select them. The enums are the domain's
// (the same literals the server decodes), re-exported under their names.

export { AuditOutcome, EntityKind, EntityStatus, SubjectKind, TenantStatus }

const Id = Schema.String
const NullableId = Schema.NullOr(Schema.String)

export const Tenant = Schema.Struct({
  id: Id,
  name: Schema.String,
  alias: Schema.NullOr(Schema.String),
  status: TenantStatus,
})
export type Tenant = typeof Tenant.Type

export const Entity = Schema.Struct({
  id: Id,
  kind: EntityKind,
  name: Schema.String,
  tenantId: NullableId,
  status: EntityStatus,
})
export type Entity = typeof Entity.Type

export const Role = Schema.Struct({ id: Id, name: Schema.String, tenantId: NullableId })
export type Role = typeof Role.Type

export const RoleAssignment = Schema.Struct({
  id: Id,
  subjectKind: SubjectKind,
  subjectId: Id,
  roleId: Id,
})
export type RoleAssignment = typeof RoleAssignment.Type

export const AuthzResponse = Schema.Struct({ allowed: Schema.Boolean, reason: Schema.String })
export type AuthzResponse = typeof AuthzResponse.Type

export const Certificate = Schema.Struct({
  credentialId: Id,
  entityId: Id,
  serialNumber: Schema.String,
  certificatePem: Schema.String,
  fingerprintSha256: Schema.String,
  expiresAt: Schema.NullOr(Schema.String),
})
export type Certificate = typeof Certificate.Type

export const IssuedCertificate = Schema.Struct({
  certificate: Certificate,
  privateKeyPem: Schema.NullOr(Schema.String),
})
export type IssuedCertificate = typeof IssuedCertificate.Type

export const AuditLog = Schema.Struct({
  id: Id,
  actorEntityId: NullableId,
  tenantId: NullableId,
  targetKind: Schema.NullOr(Schema.String),
  targetId: NullableId,
  event: Schema.String,
  outcome: AuditOutcome,
  details: Json,
  createdAt: Schema.String,
})
export type AuditLog = typeof AuditLog.Type

/** `{ items, total }`, the contract's list shape (api.md §3.4). */
export const ListOf = <A>(item: Schema.Schema<A>) =>
  Schema.Struct({ items: Schema.Array(item), total: Schema.Number.pipe(Schema.int(), Schema.nonNegative()) })
