import { Layer } from "effect"
import { Profiles } from "./Profiles.js"
import { ProfileVersions } from "./ProfileVersions.js"
import { TenantBootstrap } from "./TenantBootstrap.js"
import { TenantCredentials } from "./TenantCredentials.js"
import { TenantInvitations } from "./TenantInvitations.js"
import { TenantMemberships } from "./TenantMemberships.js"
import { TenantRoles } from "./TenantRoles.js"
import { Tenants } from "./Tenants.js"

/** Every repository of the tenant area, for the application's repository tier. */
export const TenantRepositories = Layer.mergeAll(
  Tenants.Default,
  TenantBootstrap.Default,
  TenantMemberships.Default,
  TenantInvitations.Default,
  TenantCredentials.Default,
  TenantRoles.Default,
  Profiles.Default,
  ProfileVersions.Default,
)
