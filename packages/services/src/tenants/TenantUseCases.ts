import { Layer } from "effect"
import { InvitationService } from "./InvitationService.js"
import { MembershipService } from "./MembershipService.js"
import { ProfileService } from "./ProfileService.js"
import { TenantLifecycle } from "./TenantLifecycle.js"
import { TenantService } from "./TenantService.js"

/** Every use case of the tenant area, for the application's service tier. */
export const TenantUseCases = Layer.mergeAll(
  TenantService.Default,
  TenantLifecycle.Default,
  MembershipService.Default,
  InvitationService.Default,
  ProfileService.Default,
)
