import { ResourceService } from "@atom/services/resources"
import { Effect, Schema } from "effect"
import { callerField } from "../entities/callerField.js"
import {
  DeletedArg,
  OptionalArg,
  OptionalJsonObjectArg,
  OptionalUuidArg,
  PagingArgs,
  pagingOf,
  SearchArg,
  UuidArg,
} from "../entities/graphqlArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"
import { encodeResource } from "./encodeResource.js"

const IdArgs = Schema.Struct({ id: UuidArg("id") })

const ResourcesArgs = Schema.Struct({
  q: SearchArg,
  kind: OptionalArg(Schema.String),
  tenantId: OptionalUuidArg("tenantId"),
  attributesContains: OptionalJsonObjectArg("attributesContains"),
  parentGroupId: OptionalUuidArg("parentGroupId"),
  includeDescendants: OptionalArg(Schema.Boolean),
  deleted: DeletedArg,
  ...PagingArgs,
})

const CreateResourceArgs = Schema.Struct({
  input: Schema.Struct({
    id: OptionalUuidArg("id"),
    kind: Schema.String,
    name: OptionalArg(Schema.String),
    alias: OptionalArg(Schema.String),
    tenantId: OptionalUuidArg("tenantId"),
    ownerId: OptionalUuidArg("ownerId"),
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

// Absent and null differ only for `alias` (null clears it); other nulls keep the value.
const UpdateResourceArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    name: OptionalArg(Schema.String),
    alias: Schema.optional(Schema.NullOr(Schema.String)),
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

const ResourceGroupArgs = Schema.Struct({ resourceId: UuidArg("resourceId"), groupId: UuidArg("groupId") })
const ResourceObjectGroupArgs = Schema.Struct({
  resourceId: UuidArg("resourceId"),
  objectGroupId: UuidArg("objectGroupId"),
})
const ResourceIdArgs = Schema.Struct({ resourceId: UuidArg("resourceId") })
const KindsArgs = Schema.Struct({ tenantId: OptionalUuidArg("tenantId") })

/** Resources and their containment (api.md §3.5). */
export const resourcesModule: GraphqlModule<ResourceService> = {
  typeDefs: "",
  resolvers: {
    Query: {
      resource: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(ResourceService, (s) => s.get(caller, id)).pipe(Effect.map(encodeResource)),
      ),
      resources: callerField(ResourcesArgs, (caller, a) =>
        Effect.flatMap(ResourceService, (s) =>
          s.list(
            caller,
            {
              q: a.q,
              kind: a.kind,
              tenantId: a.tenantId,
              attributesContains: a.attributesContains,
              parentGroupId: a.parentGroupId,
              includeDescendants: a.includeDescendants ?? false,
              deleted: a.deleted ?? "live",
            },
            pagingOf(a),
          ),
        ).pipe(Effect.map((page) => ({ items: page.items.map(encodeResource), total: page.total }))),
      ),
      resourceKinds: callerField(KindsArgs, (caller, { tenantId }) =>
        Effect.flatMap(ResourceService, (s) => s.kinds(caller, tenantId)),
      ),
    },
    Mutation: {
      createResource: callerField(CreateResourceArgs, (caller, { input }) =>
        Effect.flatMap(ResourceService, (s) => s.create(caller, input)).pipe(Effect.map(encodeResource)),
      ),
      updateResource: callerField(UpdateResourceArgs, (caller, { id, input }) =>
        Effect.flatMap(ResourceService, (s) => s.update(caller, id, input)).pipe(Effect.map(encodeResource)),
      ),
      deleteResource: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(ResourceService, (s) => s.delete(caller, id)),
      ),
      restoreResource: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(ResourceService, (s) => s.restore(caller, id)),
      ),
      purgeResource: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(ResourceService, (s) => s.purge(caller, id)),
      ),
      setResourceParentGroup: callerField(ResourceGroupArgs, (caller, a) =>
        Effect.flatMap(ResourceService, (s) => s.setParentGroup(caller, a.resourceId, a.groupId)).pipe(
          Effect.map(encodeResource),
        ),
      ),
      addResourceToObjectGroup: callerField(ResourceObjectGroupArgs, (caller, a) =>
        Effect.flatMap(ResourceService, (s) => s.setParentGroup(caller, a.resourceId, a.objectGroupId)).pipe(
          Effect.map(encodeResource),
        ),
      ),
      clearResourceParentGroup: callerField(ResourceIdArgs, (caller, { resourceId }) =>
        Effect.flatMap(ResourceService, (s) => s.clearParentGroup(caller, resourceId)).pipe(Effect.map(encodeResource)),
      ),
      removeResourceFromObjectGroup: callerField(ResourceIdArgs, (caller, { resourceId }) =>
        Effect.flatMap(ResourceService, (s) => s.clearParentGroup(caller, resourceId)).pipe(Effect.map(encodeResource)),
      ),
    },
  },
}
