import { Schema } from "effect"

// Branded identifiers of the authorization model; the same brand names elsewhere in domain interoperate.
export const EntityId = Schema.UUID.pipe(Schema.brand("EntityId"))
export type EntityId = typeof EntityId.Type

export const TenantId = Schema.UUID.pipe(Schema.brand("TenantId"))
export type TenantId = typeof TenantId.Type

export const GroupId = Schema.UUID.pipe(Schema.brand("GroupId"))
export type GroupId = typeof GroupId.Type

export const RoleId = Schema.UUID.pipe(Schema.brand("RoleId"))
export type RoleId = typeof RoleId.Type

export const PermissionBlockId = Schema.UUID.pipe(Schema.brand("PermissionBlockId"))
export type PermissionBlockId = typeof PermissionBlockId.Type

/** Id of the row that binds a block to a subject: a direct policy, a role assignment or a token limit. */
export const BindingId = Schema.UUID.pipe(Schema.brand("BindingId"))
export type BindingId = typeof BindingId.Type

/** Any object's id (entity, resource, group, tenant, credential): blocks reference objects without a foreign key. */
export const ObjectId = Schema.UUID
export type ObjectId = typeof ObjectId.Type
