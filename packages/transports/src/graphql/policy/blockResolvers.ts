import { GroupId, ObjectId, PermissionBlockId, PolicyEffect, TenantId } from "@atom/domain/authz"
import { ActionId } from "@atom/domain/policy"
import { PermissionBlockService } from "@atom/services/policy"
import { Effect, Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { handle } from "./handle.js"
import { id, ids, LIST, MAX_IDS, Nullable, optionalId, page, text } from "./policyArgs.js"
import { encodeBlock, encodeList } from "./policyEncoders.js"

const IdArgs = Schema.Struct({ id: Schema.String })

const BlocksArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  scopeMode: Nullable(Schema.String),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const CreateBlockArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: Nullable(Schema.String),
    scopeMode: Schema.String,
    objectKind: Nullable(Schema.String),
    objectType: Nullable(Schema.String),
    objectId: Nullable(Schema.String),
    groupId: Nullable(Schema.String),
    effect: Nullable(PolicyEffect),
    conditions: Schema.optional(Schema.Unknown),
    actionIds: Schema.Array(Schema.String),
  }),
})

const blockId = id(PermissionBlockId, "id")

/** permissionBlocks, permissionBlock. */
export const blockQueries: Record<string, Resolver<PermissionBlockService>> = {
  permissionBlocks: handle(BlocksArgs, (caller, a) =>
    Effect.gen(function* () {
      const filter = {
        tenantId: yield* optionalId(TenantId, "tenantId")(a.tenantId),
        scopeMode: text(a.scopeMode),
        page: page(a.limit, a.offset, LIST),
      }
      return encodeList(yield* Effect.flatMap(PermissionBlockService, (s) => s.list(caller, filter)), encodeBlock)
    }),
  ),
  permissionBlock: handle(IdArgs, (caller, a) =>
    Effect.gen(function* () {
      const block = yield* blockId(a.id)
      return encodeBlock(yield* Effect.flatMap(PermissionBlockService, (s) => s.get(caller, block)))
    }),
  ),
}

/** createPermissionBlock, deletePermissionBlock. */
export const blockMutations: Record<string, Resolver<PermissionBlockService>> = {
  createPermissionBlock: handle(CreateBlockArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const block = {
        tenantId: yield* optionalId(TenantId, "tenantId")(input.tenantId),
        scopeMode: input.scopeMode.trim(),
        objectKind: text(input.objectKind),
        objectType: text(input.objectType),
        objectId: yield* optionalId(ObjectId, "objectId")(input.objectId),
        groupId: yield* optionalId(GroupId, "groupId")(input.groupId),
        effect: input.effect ?? "allow",
        conditions: input.conditions ?? null,
        actionIds: yield* ids(ActionId, "actionIds", "actionId", MAX_IDS)(input.actionIds),
      }
      return encodeBlock(yield* Effect.flatMap(PermissionBlockService, (s) => s.create(caller, block)))
    }),
  ),
  deletePermissionBlock: handle(IdArgs, (caller, a) =>
    Effect.flatMap(blockId(a.id), (block) => Effect.flatMap(PermissionBlockService, (s) => s.remove(caller, block))),
  ),
}
