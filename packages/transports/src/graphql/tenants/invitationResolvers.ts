import { InvitationService } from "@atom/services/tenants"
import { Effect, Schema } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import { authenticatedField } from "./authenticatedField.js"
import { encodeInvitation } from "./encodeInvitation.js"
import { PageArgs, pageOf } from "./PageArgs.js"
import type { TenantServices } from "./TenantServices.js"
import { OptionalUuidArg, UuidArg } from "./UuidArg.js"

const TenantIdArgs = Schema.Struct({ tenantId: UuidArg("tenantId") })
const ListArgs = Schema.Struct({ tenantId: UuidArg("tenantId"), ...PageArgs })
const MineArgs = Schema.Struct({ ...PageArgs })
const CreateArgs = Schema.Struct({
  tenantId: UuidArg("tenantId"),
  input: Schema.Struct({
    inviteeUserId: OptionalUuidArg("inviteeUserId"),
    inviteeEmail: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    roleId: OptionalUuidArg("roleId"),
    // accepted for compatibility and ignored: an existing invitation is always reset
    resend: Schema.optional(Schema.NullOr(Schema.Boolean)),
    redirectUrl: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  }),
})
const TokenArgs = Schema.Struct({ input: Schema.Struct({ token: Schema.String }) })
const RevokeArgs = Schema.Struct({ tenantId: UuidArg("tenantId"), invitationId: UuidArg("invitationId") })

const encodePage = (p: {
  readonly items: ReadonlyArray<Parameters<typeof encodeInvitation>[0]>
  readonly total: number
}) => ({
  items: p.items.map(encodeInvitation),
  total: p.total,
})

/** Tenant invitations: create, list, accept (by tenant or token), reject, revoke (api.md §3.5). */
export const invitationResolvers: GraphqlModule<TenantServices>["resolvers"] = {
  Query: {
    tenantInvitations: authenticatedField(ListArgs, (caller, a) =>
      Effect.flatMap(InvitationService, (s) => Effect.map(s.ofTenant(caller, a.tenantId, pageOf(a)), encodePage)),
    ),
    myTenantInvitations: authenticatedField(MineArgs, (caller, a) =>
      Effect.flatMap(InvitationService, (s) => Effect.map(s.mine(caller, pageOf(a)), encodePage)),
    ),
  },
  Mutation: {
    createTenantInvitation: authenticatedField(CreateArgs, (caller, { tenantId, input }) =>
      Effect.flatMap(InvitationService, (s) =>
        Effect.map(
          s.create(caller, tenantId, {
            inviteeUserId: input.inviteeUserId,
            inviteeEmail: input.inviteeEmail,
            roleId: input.roleId,
            redirectUrl: input.redirectUrl,
          }),
          encodeInvitation,
        ),
      ),
    ),
    acceptTenantInvitation: authenticatedField(TenantIdArgs, (caller, a) =>
      Effect.flatMap(InvitationService, (s) => s.accept(caller, a.tenantId)),
    ),
    acceptTenantInvitationToken: authenticatedField(TokenArgs, (caller, { input }) =>
      Effect.flatMap(InvitationService, (s) => s.acceptToken(caller, input.token)),
    ),
    rejectTenantInvitation: authenticatedField(TenantIdArgs, (caller, a) =>
      Effect.flatMap(InvitationService, (s) => s.reject(caller, a.tenantId)),
    ),
    revokeTenantInvitation: authenticatedField(RevokeArgs, (caller, a) =>
      Effect.flatMap(InvitationService, (s) => s.revoke(caller, a.tenantId, a.invitationId)),
    ),
  },
}
