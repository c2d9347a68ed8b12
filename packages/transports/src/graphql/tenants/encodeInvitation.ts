import type { TenantInvitation } from "@atom/domain/tenants"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** The contract's `TenantInvitation` (never its token). */
export const encodeInvitation = (i: TenantInvitation) => ({
  id: i.id,
  tenantId: i.tenantId,
  inviteeUserId: i.inviteeUserId,
  inviteeName: i.inviteeName,
  inviteeEmail: i.inviteeEmail,
  invitedBy: i.invitedBy,
  roleId: i.roleId,
  roleName: i.roleName,
  acceptedAt: graphqlTimeOrNull(i.acceptedAt),
  rejectedAt: graphqlTimeOrNull(i.rejectedAt),
  revokedAt: graphqlTimeOrNull(i.revokedAt),
  createdAt: graphqlTime(i.createdAt),
  updatedAt: graphqlTimeOrNull(i.updatedAt),
})
