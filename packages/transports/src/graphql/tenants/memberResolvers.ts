import { MembershipService } from "@atom/services/tenants"
import { Effect, Schema } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import { authenticatedField } from "./authenticatedField.js"
import { encodeMember } from "./encodeMember.js"
import { PageArgs, pageOf } from "./PageArgs.js"
import type { TenantServices } from "./TenantServices.js"
import { OptionalUuidArg, UuidArg } from "./UuidArg.js"

const MembersArgs = Schema.Struct({
  tenantId: UuidArg("tenantId"),
  q: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  ...PageArgs,
})
const AssignableArgs = Schema.Struct({ tenantId: UuidArg("tenantId"), q: Schema.String, ...PageArgs })
const AddArgs = Schema.Struct({
  tenantId: UuidArg("tenantId"),
  entityId: UuidArg("entityId"),
  roleId: OptionalUuidArg("roleId"),
})
const RemoveArgs = Schema.Struct({ tenantId: UuidArg("tenantId"), entityId: UuidArg("entityId") })

/** At most 20 assignable entities per page (identity-certs §1.5). */
const ASSIGNABLE_MAX = 20

/** tenantMembers, tenantAssignableEntities, addTenantMember, removeTenantMember (api.md §3.5). */
export const memberResolvers: GraphqlModule<TenantServices>["resolvers"] = {
  Query: {
    tenantMembers: authenticatedField(MembersArgs, (caller, a) =>
      Effect.flatMap(MembershipService, (s) =>
        Effect.map(s.members(caller, a.tenantId, a.q, pageOf(a)), (p) => ({
          items: p.items.map(encodeMember),
          total: p.total,
        })),
      ),
    ),
    tenantAssignableEntities: authenticatedField(AssignableArgs, (caller, a) =>
      Effect.flatMap(MembershipService, (s) =>
        Effect.map(s.assignable(caller, a.tenantId, a.q, pageOf(a, ASSIGNABLE_MAX)), (p) => ({
          items: p.items.map(encodeMember),
          total: p.total,
        })),
      ),
    ),
  },
  Mutation: {
    addTenantMember: authenticatedField(AddArgs, (caller, a) =>
      Effect.flatMap(MembershipService, (s) => s.add(caller, a.tenantId, a.entityId, a.roleId)),
    ),
    removeTenantMember: authenticatedField(RemoveArgs, (caller, a) =>
      Effect.flatMap(MembershipService, (s) => s.remove(caller, a.tenantId, a.entityId)),
    ),
  },
}
