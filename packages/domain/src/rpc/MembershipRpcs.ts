import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, RoleId, TenantId } from "../authz/ids.js"
import { TenantInvitation } from "../tenants/TenantInvitation.js"
import { TenantMember } from "../tenants/TenantMember.js"
import { TenantRoleAssignment } from "../tenants/TenantRoleAssignment.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** A tenant member (the contract's `Entity`) with its instants as RFC 3339 strings on the wire. */
export const TenantMemberOnWire = Schema.Struct({
  ...TenantMember.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

/** An invitation (never its token) with its instants as RFC 3339 strings on the wire. */
export const TenantInvitationOnWire = Schema.Struct({
  ...TenantInvitation.fields,
  expiresAt: Schema.Date,
  acceptedAt: Schema.NullOr(Schema.Date),
  rejectedAt: Schema.NullOr(Schema.Date),
  revokedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const TenantMembersPayload = Schema.Struct({ tenantId: TenantId, q: Optional(Schema.String), ...PageFields })

/** Entities that may join the tenant, by a required search (at most 20 a page). */
export const TenantAssignableEntitiesPayload = Schema.Struct({ tenantId: TenantId, q: Schema.String, ...PageFields })

/** `roleId` absent = the tenant's default member role. */
export const AddTenantMemberPayload = Schema.Struct({
  tenantId: TenantId,
  entityId: EntityId,
  roleId: Optional(RoleId),
})

export const TenantMemberPayload = Schema.Struct({ tenantId: TenantId, entityId: EntityId })

/** An existing user or an email address; an existing invitation is reset (and mailed again). */
export const CreateTenantInvitationPayload = Schema.Struct({
  tenantId: TenantId,
  inviteeUserId: Optional(EntityId),
  inviteeEmail: Optional(Schema.String),
  roleId: Optional(RoleId),
  redirectUrl: Optional(Schema.String),
})

/** The invitation token of the mail; it stays `Redacted` in the server. */
export const AcceptTenantInvitationTokenPayload = Schema.Struct({ token: Schema.Redacted(Schema.String) })

/** Tenant membership and invitations (identity-certs §1.5, api.md §3.5). */
export class MembershipRpcs extends RpcGroup.make(
  Rpc.make("TenantMembers", {
    payload: TenantMembersPayload,
    success: PageOf(TenantMemberOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("TenantAssignableEntities", {
    payload: TenantAssignableEntitiesPayload,
    success: PageOf(TenantMemberOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("AddTenantMember", { payload: AddTenantMemberPayload, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RemoveTenantMember", { payload: TenantMemberPayload, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("MyTenantRoles", {
    payload: { tenantId: TenantId },
    success: Schema.Array(TenantRoleAssignment),
    error: AtomRpcError,
  }),
  Rpc.make("TenantInvitations", {
    payload: { tenantId: TenantId, ...PageFields },
    success: PageOf(TenantInvitationOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("MyTenantInvitations", {
    payload: PageFields,
    success: PageOf(TenantInvitationOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("CreateTenantInvitation", {
    payload: CreateTenantInvitationPayload,
    success: TenantInvitationOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("AcceptTenantInvitation", { payload: { tenantId: TenantId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("AcceptTenantInvitationToken", {
    payload: AcceptTenantInvitationTokenPayload,
    success: Schema.String,
    error: AtomRpcError,
  }),
  Rpc.make("RejectTenantInvitation", { payload: { tenantId: TenantId }, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("RevokeTenantInvitation", {
    payload: { tenantId: TenantId, invitationId: Schema.UUID },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
) {}
