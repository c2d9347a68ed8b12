import { Schema } from "effect"
import { Json } from "./Json.js"

// The contract's output types, as far as the client's documents select them.

const Id = Schema.String
const NullableId = Schema.NullOr(Schema.String)

export const EntityKind = Schema.Literal("human", "device", "service", "workload", "application")
export type EntityKind = typeof EntityKind.Type
export const EntityStatus = Schema.Literal("active", "inactive", "suspended")
export const TenantStatus = Schema.Literal("active", "inactive", "frozen", "deleted")
export const SubjectKind = Schema.Literal("entity", "group")
export const AuditOutcome = Schema.Literal("allow", "deny", "error")

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
