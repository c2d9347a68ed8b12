import type {
  InvitationService,
  MembershipService,
  ProfileService,
  TenantLifecycle,
  TenantService,
} from "@atom/services/tenants"

/** What the tenant area's resolvers run on. */
export type TenantServices = TenantService | TenantLifecycle | MembershipService | InvitationService | ProfileService
