import { PermissionBlockId, RoleId, TenantId } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import { DeletedFilter, RoleDerivedKind } from "@atom/domain/policy"
import { RoleService } from "@atom/services/policy"
import { Effect, Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { handle } from "./handle.js"
import { id, ids, LIST, MAX_IDS, Nullable, optionalId, page, text } from "./policyArgs.js"
import { encodeList, encodeRole } from "./policyEncoders.js"

const isDerivedKind = Schema.is(RoleDerivedKind)

const derivedKindArg = (value: string | null) => {
  const kind = text(value)?.toLowerCase() ?? null
  if (kind === null || isDerivedKind(kind)) return Effect.succeed(kind)
  return Effect.fail(new InvalidInput({ message: "derivedKind must be simple, composite, or empty" }))
}

const IdArgs = Schema.Struct({ id: Schema.String })

const RolesArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  derivedKind: Nullable(Schema.String),
  q: Nullable(Schema.String),
  deleted: Nullable(DeletedFilter),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const CreateRoleArgs = Schema.Struct({
  input: Schema.Struct({
    name: Schema.String,
    tenantId: Nullable(Schema.String),
    description: Nullable(Schema.String),
  }),
})

const UpdateRoleArgs = Schema.Struct({
  id: Schema.String,
  input: Schema.Struct({ name: Nullable(Schema.String), description: Nullable(Schema.String) }),
})

const ReplaceBlocksArgs = Schema.Struct({ roleId: Schema.String, permissionBlockIds: Schema.Array(Schema.String) })

const roleId = id(RoleId, "id")

/** roles, role, createRole, updateRole, replaceRolePermissionBlocks, deleteRole, restoreRole, purgeRole. */
export const roleQueries: Record<string, Resolver<RoleService>> = {
  roles: handle(RolesArgs, (caller, a) =>
    Effect.gen(function* () {
      const filter = {
        tenantId: yield* optionalId(TenantId, "tenantId")(a.tenantId),
        derivedKind: yield* derivedKindArg(a.derivedKind),
        q: text(a.q),
        deleted: a.deleted ?? "live",
        page: page(a.limit, a.offset, LIST),
      }
      return encodeList(yield* Effect.flatMap(RoleService, (s) => s.list(caller, filter)), encodeRole)
    }),
  ),
  role: handle(IdArgs, (caller, a) =>
    Effect.gen(function* () {
      const role = yield* roleId(a.id)
      return encodeRole(yield* Effect.flatMap(RoleService, (s) => s.get(caller, role)))
    }),
  ),
}

export const roleMutations: Record<string, Resolver<RoleService>> = {
  createRole: handle(CreateRoleArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const tenantId = yield* optionalId(TenantId, "tenantId")(input.tenantId)
      const created = yield* Effect.flatMap(RoleService, (s) =>
        s.create(caller, { name: input.name, tenantId, description: input.description }),
      )
      return encodeRole(created)
    }),
  ),
  updateRole: handle(UpdateRoleArgs, (caller, { id: raw, input }) =>
    Effect.gen(function* () {
      const role = yield* roleId(raw)
      const patch = {
        ...(input.name === null ? {} : { name: input.name }),
        ...(input.description === null ? {} : { description: input.description }),
      }
      return encodeRole(yield* Effect.flatMap(RoleService, (s) => s.update(caller, role, patch)))
    }),
  ),
  replaceRolePermissionBlocks: handle(ReplaceBlocksArgs, (caller, a) =>
    Effect.gen(function* () {
      const role = yield* id(RoleId, "roleId")(a.roleId)
      const blocks = yield* ids(
        PermissionBlockId,
        "permissionBlockIds",
        "permissionBlockId",
        MAX_IDS,
      )(a.permissionBlockIds)
      return yield* Effect.flatMap(RoleService, (s) => s.replaceBlocks(caller, role, blocks))
    }),
  ),
  deleteRole: handle(IdArgs, (caller, a) =>
    Effect.flatMap(roleId(a.id), (role) => Effect.flatMap(RoleService, (s) => s.remove(caller, role))),
  ),
  restoreRole: handle(IdArgs, (caller, a) =>
    Effect.flatMap(roleId(a.id), (role) => Effect.flatMap(RoleService, (s) => s.restore(caller, role))),
  ),
  purgeRole: handle(IdArgs, (caller, a) =>
    Effect.flatMap(roleId(a.id), (role) => Effect.flatMap(RoleService, (s) => s.purge(caller, role))),
  ),
}
