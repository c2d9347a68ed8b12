import { MembershipRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { InvitationService, MembershipService, TenantService } from "@atom/services/tenants"
import { Effect, Redacted } from "effect"
import { asCaller } from "./toRpcError.js"

/** At most 20 assignable entities per page (identity-certs §1.5), as `tenantAssignableEntities`. */
const ASSIGNABLE_MAX = 20

/** Tenant membership and invitations over RPC: the calls `memberResolvers` and `invitationResolvers` make. */
export const membershipHandlers = MembershipRpcs.of({
  TenantMembers: ({ tenantId, q, ...p }) =>
    asCaller((caller) => Effect.flatMap(MembershipService, (s) => s.members(caller, tenantId, q ?? null, paging(p)))),
  TenantAssignableEntities: ({ tenantId, q, ...p }) =>
    asCaller((caller) =>
      Effect.flatMap(MembershipService, (s) => s.assignable(caller, tenantId, q, paging(p, ASSIGNABLE_MAX))),
    ),
  AddTenantMember: ({ tenantId, entityId, roleId }) =>
    asCaller((caller) => Effect.flatMap(MembershipService, (s) => s.add(caller, tenantId, entityId, roleId ?? null))),
  RemoveTenantMember: ({ tenantId, entityId }) =>
    asCaller((caller) => Effect.flatMap(MembershipService, (s) => s.remove(caller, tenantId, entityId))),
  MyTenantRoles: ({ tenantId }) =>
    asCaller((caller) => Effect.flatMap(TenantService, (s) => s.myRoles(caller, tenantId))),
  TenantInvitations: ({ tenantId, ...p }) =>
    asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.ofTenant(caller, tenantId, paging(p)))),
  MyTenantInvitations: (p) => asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.mine(caller, paging(p)))),
  CreateTenantInvitation: ({ tenantId, ...input }) =>
    asCaller((caller) =>
      Effect.flatMap(InvitationService, (s) =>
        s.create(caller, tenantId, {
          inviteeUserId: input.inviteeUserId ?? null,
          inviteeEmail: input.inviteeEmail ?? null,
          roleId: input.roleId ?? null,
          redirectUrl: input.redirectUrl ?? null,
        }),
      ),
    ),
  AcceptTenantInvitation: ({ tenantId }) =>
    asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.accept(caller, tenantId))),
  AcceptTenantInvitationToken: ({ token }) =>
    asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.acceptToken(caller, Redacted.value(token)))),
  RejectTenantInvitation: ({ tenantId }) =>
    asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.reject(caller, tenantId))),
  RevokeTenantInvitation: ({ tenantId, invitationId }) =>
    asCaller((caller) => Effect.flatMap(InvitationService, (s) => s.revoke(caller, tenantId, invitationId))),
})
