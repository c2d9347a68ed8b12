import { EntityKind } from "@atom/domain/authz"
import { EntityService } from "@atom/services/entities"
import { Effect, Schema } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import { callerField } from "./callerField.js"
import { encodeEntity, encodeOwnership } from "./encodeEntity.js"
import {
  DeletedArg,
  OptionalArg,
  OptionalJsonObjectArg,
  OptionalUuidArg,
  PagingArgs,
  pagingOf,
  SearchArg,
  StatusArg,
  UuidArg,
} from "./graphqlArgs.js"

const IdArgs = Schema.Struct({ id: UuidArg("id") })

const EntitiesArgs = Schema.Struct({
  q: SearchArg,
  kind: OptionalArg(EntityKind),
  profileId: OptionalUuidArg("profileId"),
  tenantId: OptionalUuidArg("tenantId"),
  parentGroupId: OptionalUuidArg("parentGroupId"),
  includeDescendants: OptionalArg(Schema.Boolean),
  status: StatusArg,
  deleted: DeletedArg,
  ...PagingArgs,
})

const CreateEntityArgs = Schema.Struct({
  input: Schema.Struct({
    id: OptionalUuidArg("id"),
    profileId: OptionalUuidArg("profileId"),
    profileVersionId: OptionalUuidArg("profileVersionId"),
    kind: OptionalArg(EntityKind),
    name: Schema.String,
    alias: OptionalArg(Schema.String),
    tenantId: OptionalUuidArg("tenantId"),
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

// Absent and null differ only for `alias` (null clears it); other nulls keep the value.
const UpdateEntityArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    name: OptionalArg(Schema.String),
    kind: OptionalArg(EntityKind),
    alias: Schema.optional(Schema.NullOr(Schema.String)),
    tenantId: OptionalUuidArg("tenantId"),
    profileId: OptionalUuidArg("profileId"),
    profileVersionId: OptionalUuidArg("profileVersionId"),
    status: StatusArg,
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

const EntityGroupArgs = Schema.Struct({ entityId: UuidArg("entityId"), groupId: UuidArg("groupId") })
const EntityObjectGroupArgs = Schema.Struct({ entityId: UuidArg("entityId"), objectGroupId: UuidArg("objectGroupId") })
const EntityIdArgs = Schema.Struct({ entityId: UuidArg("entityId") })
const OwnershipArgs = Schema.Struct({ ownerId: UuidArg("ownerId"), ownedId: UuidArg("ownedId") })
const AddOwnershipArgs = Schema.Struct({ ...OwnershipArgs.fields, relation: OptionalArg(Schema.String) })
const OwnerArgs = Schema.Struct({ ownerId: UuidArg("ownerId") })

/** Entities, ownership and entity containment (api.md §3.5). */
export const entitiesModule: GraphqlModule<EntityService> = {
  typeDefs: "",
  resolvers: {
    Query: {
      entity: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(EntityService, (s) => s.get(caller, id)).pipe(Effect.map(encodeEntity)),
      ),
      entities: callerField(EntitiesArgs, (caller, a) =>
        Effect.flatMap(EntityService, (s) =>
          s.list(
            caller,
            {
              q: a.q,
              kind: a.kind,
              profileId: a.profileId,
              tenantId: a.tenantId,
              parentGroupId: a.parentGroupId,
              includeDescendants: a.includeDescendants ?? false,
              status: a.status,
              deleted: a.deleted ?? "live",
            },
            pagingOf(a),
          ),
        ).pipe(Effect.map((page) => ({ items: page.items.map(encodeEntity), total: page.total }))),
      ),
      ownedEntities: callerField(OwnerArgs, (caller, { ownerId }) =>
        Effect.flatMap(EntityService, (s) => s.ownedEntities(caller, ownerId)).pipe(
          Effect.map((list) => list.map(encodeEntity)),
        ),
      ),
    },
    Mutation: {
      createEntity: callerField(CreateEntityArgs, (caller, { input }) =>
        Effect.flatMap(EntityService, (s) => s.create(caller, input)).pipe(Effect.map(encodeEntity)),
      ),
      updateEntity: callerField(UpdateEntityArgs, (caller, { id, input }) =>
        Effect.flatMap(EntityService, (s) => s.update(caller, id, input)).pipe(Effect.map(encodeEntity)),
      ),
      deleteEntity: callerField(IdArgs, (caller, { id }) => Effect.flatMap(EntityService, (s) => s.delete(caller, id))),
      restoreEntity: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(EntityService, (s) => s.restore(caller, id)),
      ),
      purgeEntity: callerField(IdArgs, (caller, { id }) => Effect.flatMap(EntityService, (s) => s.purge(caller, id))),
      enableEntity: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(EntityService, (s) => s.enable(caller, id)).pipe(Effect.map(encodeEntity)),
      ),
      disableEntity: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(EntityService, (s) => s.disable(caller, id)).pipe(Effect.map(encodeEntity)),
      ),
      setEntityParentGroup: callerField(EntityGroupArgs, (caller, a) =>
        Effect.flatMap(EntityService, (s) => s.setParentGroup(caller, a.entityId, a.groupId)).pipe(
          Effect.map(encodeEntity),
        ),
      ),
      addEntityToObjectGroup: callerField(EntityObjectGroupArgs, (caller, a) =>
        Effect.flatMap(EntityService, (s) => s.setParentGroup(caller, a.entityId, a.objectGroupId)).pipe(
          Effect.map(encodeEntity),
        ),
      ),
      clearEntityParentGroup: callerField(EntityIdArgs, (caller, { entityId }) =>
        Effect.flatMap(EntityService, (s) => s.clearParentGroup(caller, entityId)).pipe(Effect.map(encodeEntity)),
      ),
      removeEntityFromObjectGroup: callerField(EntityIdArgs, (caller, { entityId }) =>
        Effect.flatMap(EntityService, (s) => s.clearParentGroup(caller, entityId)).pipe(Effect.map(encodeEntity)),
      ),
      addOwnership: callerField(AddOwnershipArgs, (caller, a) =>
        Effect.flatMap(EntityService, (s) => s.addOwnership(caller, a.ownerId, a.ownedId, a.relation)).pipe(
          Effect.map(encodeOwnership),
        ),
      ),
      removeOwnership: callerField(OwnershipArgs, (caller, a) =>
        Effect.flatMap(EntityService, (s) => s.removeOwnership(caller, a.ownerId, a.ownedId)),
      ),
    },
  },
}
