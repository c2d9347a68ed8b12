import { Schema } from "effect"
import { EntityId, RoleId, TenantId } from "../authz/ids.js"

/** An invitation to join a tenant (identity-certs §1.5); its token is never part of it. */
export const TenantInvitation = Schema.Struct({
  id: Schema.UUID,
  tenantId: TenantId,
  inviteeUserId: Schema.NullOr(EntityId),
  inviteeName: Schema.NullOr(Schema.String),
  inviteeEmail: Schema.NullOr(Schema.String),
  invitedBy: EntityId,
  roleId: Schema.NullOr(RoleId),
  roleName: Schema.NullOr(Schema.String),
  expiresAt: Schema.DateFromSelf,
  acceptedAt: Schema.NullOr(Schema.DateFromSelf),
  rejectedAt: Schema.NullOr(Schema.DateFromSelf),
  revokedAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type TenantInvitation = typeof TenantInvitation.Type
