import type { GraphqlModule } from "../GraphqlContext.js"
import { invitationResolvers } from "./invitationResolvers.js"
import { memberResolvers } from "./memberResolvers.js"
import { profileResolvers } from "./profileResolvers.js"
import type { TenantServices } from "./TenantServices.js"
import { tenantResolvers } from "./tenantResolvers.js"

/** The tenant area: tenants, memberships, invitations and profiles, in the contract's own fields. */
export const tenantsModule: GraphqlModule<TenantServices> = {
  typeDefs: "",
  resolvers: {
    Query: {
      ...tenantResolvers.Query,
      ...memberResolvers.Query,
      ...invitationResolvers.Query,
      ...profileResolvers.Query,
    },
    Mutation: {
      ...tenantResolvers.Mutation,
      ...memberResolvers.Mutation,
      ...invitationResolvers.Mutation,
      ...profileResolvers.Mutation,
    },
  },
}
