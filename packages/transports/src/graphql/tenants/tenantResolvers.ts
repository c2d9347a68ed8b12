import { TenantStatus } from "@atom/domain/authz"
import { DeletedFilter } from "@atom/domain/tenants"
import { TenantLifecycle, TenantService } from "@atom/services/tenants"
import { Effect, Schema } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import { authenticatedField } from "./authenticatedField.js"
import { encodeTenant } from "./encodeTenant.js"
import { PageArgs, pageOf } from "./PageArgs.js"
import type { TenantServices } from "./TenantServices.js"
import { OptionalUuidArg, UuidArg } from "./UuidArg.js"

const optional = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

const IdArgs = Schema.Struct({ id: UuidArg("id") })
const TenantIdArgs = Schema.Struct({ tenantId: UuidArg("tenantId") })

const TenantsArgs = Schema.Struct({
  q: optional(Schema.String),
  name: optional(Schema.String),
  alias: optional(Schema.String),
  status: optional(TenantStatus),
  deleted: Schema.optionalWith(Schema.NullOr(DeletedFilter), { default: () => null }),
  ...PageArgs,
})

const CreateTenantArgs = Schema.Struct({
  input: Schema.Struct({
    id: OptionalUuidArg("id"),
    name: Schema.String,
    alias: optional(Schema.String),
    tags: optional(Schema.Array(Schema.String)),
    attributes: Schema.optional(Schema.Unknown),
  }),
})

const UpdateTenantArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    name: Schema.optional(Schema.NullOr(Schema.String)),
    // absent keeps the alias, null clears it
    alias: Schema.optional(Schema.NullOr(Schema.String)),
    tags: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
    attributes: Schema.optional(Schema.Unknown),
  }),
})

/** tenants, tenant, myTenantRoles; create/update and the lifecycle mutations (api.md §3.5). */
export const tenantResolvers: GraphqlModule<TenantServices>["resolvers"] = {
  Query: {
    tenants: authenticatedField(TenantsArgs, (caller, a) =>
      Effect.gen(function* () {
        const page = yield* (yield* TenantService).list(
          caller,
          { q: a.q, name: a.name, alias: a.alias, status: a.status, deleted: a.deleted ?? "live" },
          pageOf(a),
        )
        return { items: page.items.map(encodeTenant), total: page.total }
      }),
    ),
    tenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantService, (s) => Effect.map(s.get(caller, a.id), encodeTenant)),
    ),
    myTenantRoles: authenticatedField(TenantIdArgs, (caller, a) =>
      Effect.flatMap(TenantService, (s) => s.myRoles(caller, a.tenantId)),
    ),
  },
  Mutation: {
    createTenant: authenticatedField(CreateTenantArgs, (caller, { input }) =>
      Effect.flatMap(TenantService, (s) =>
        Effect.map(
          s.create(caller, {
            id: input.id,
            name: input.name,
            alias: input.alias,
            tags: input.tags,
            attributes: input.attributes,
          }),
          encodeTenant,
        ),
      ),
    ),
    updateTenant: authenticatedField(UpdateTenantArgs, (caller, { id, input }) =>
      Effect.flatMap(TenantService, (s) => Effect.map(s.update(caller, id, input), encodeTenant)),
    ),
    deleteTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => s.delete(caller, a.id)),
    ),
    restoreTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => Effect.map(s.restore(caller, a.id), encodeTenant)),
    ),
    purgeTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => s.purge(caller, a.id)),
    ),
    enableTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => Effect.map(s.enable(caller, a.id), encodeTenant)),
    ),
    disableTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => Effect.map(s.disable(caller, a.id), encodeTenant)),
    ),
    freezeTenant: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(TenantLifecycle, (s) => Effect.map(s.freeze(caller, a.id), encodeTenant)),
    ),
  },
}
