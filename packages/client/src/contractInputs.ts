import { Schema } from "effect"
import { EntityKind, SubjectKind, TenantStatus } from "./contractTypes.js"
import { Json } from "./Json.js"

// The contract's input types as Effect Schemas: the client's variable types and the source of the
// generated requests in `@atom/client/arbitraries`.

const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64))
const Page = {
  limit: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(0, 200))),
  offset: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(0, 10_000))),
}

export const CreateTenantInput = Schema.Struct({
  name: Name,
  alias: Schema.optional(Name),
  attributes: Schema.optional(Json),
})
export type CreateTenantInput = typeof CreateTenantInput.Type

export const CreateEntityInput = Schema.Struct({
  name: Name,
  kind: Schema.optional(EntityKind),
  tenantId: Schema.optional(Schema.UUID),
  alias: Schema.optional(Name),
  attributes: Schema.optional(Json),
})
export type CreateEntityInput = typeof CreateEntityInput.Type

export const CreateRoleInput = Schema.Struct({
  name: Name,
  tenantId: Schema.optional(Schema.UUID),
  description: Schema.optional(Schema.String),
})
export type CreateRoleInput = typeof CreateRoleInput.Type

export const CreateRoleAssignmentInput = Schema.Struct({
  tenantId: Schema.optional(Schema.UUID),
  subjectKind: SubjectKind,
  subjectId: Schema.UUID,
  roleId: Schema.UUID,
})
export type CreateRoleAssignmentInput = typeof CreateRoleAssignmentInput.Type

export const AuthzCheckInput = Schema.Struct({
  subjectId: Schema.UUID,
  action: Name,
  resourceId: Schema.optional(Schema.UUID),
  objectKind: Schema.optional(Schema.Literal("tenant", "entity", "resource", "group")),
  objectId: Schema.optional(Schema.UUID),
  context: Schema.optional(Json),
})
export type AuthzCheckInput = typeof AuthzCheckInput.Type

export const IssueCertificateInput = Schema.Struct({
  entityId: Schema.UUID,
  ttlSecs: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(60, 86_400 * 365))),
  commonName: Schema.optional(Name),
  dnsNames: Schema.optional(Schema.Array(Schema.String)),
  ipAddresses: Schema.optional(Schema.Array(Schema.String)),
})
export type IssueCertificateInput = typeof IssueCertificateInput.Type

export const AuditLogFilter = Schema.Struct({
  actorEntityId: Schema.optional(Schema.UUID),
  tenantId: Schema.optional(Schema.UUID),
  targetKind: Schema.optional(Schema.String),
  targetId: Schema.optional(Schema.UUID),
  event: Schema.optional(Schema.String),
  ...Page,
})
export type AuditLogFilter = typeof AuditLogFilter.Type

export const TenantFilter = Schema.Struct({
  q: Schema.optional(Schema.String),
  status: Schema.optional(TenantStatus),
  ...Page,
})
export type TenantFilter = typeof TenantFilter.Type

export const EntityFilter = Schema.Struct({
  q: Schema.optional(Schema.String),
  kind: Schema.optional(EntityKind),
  tenantId: Schema.optional(Schema.UUID),
  ...Page,
})
export type EntityFilter = typeof EntityFilter.Type

export const RoleFilter = Schema.Struct({
  tenantId: Schema.optional(Schema.UUID),
  q: Schema.optional(Schema.String),
  ...Page,
})
export type RoleFilter = typeof RoleFilter.Type

export const ById = Schema.Struct({ id: Schema.UUID })
export type ById = typeof ById.Type
