import { InvalidInput } from "@atom/domain/errors"
import { GroupType } from "@atom/domain/groups"
import type { Caller } from "@atom/domain/identity"
import { type CreateGroupInput, GroupService } from "@atom/services/groups"
import { Effect, Schema } from "effect"
import { callerField } from "../entities/callerField.js"
import { encodeEntity } from "../entities/encodeEntity.js"
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
} from "../entities/graphqlArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"
import { encodeGroup } from "./encodeGroup.js"

const IdArgs = Schema.Struct({ id: UuidArg("id") })

const GroupsArgs = Schema.Struct({
  q: SearchArg,
  tenantId: OptionalUuidArg("tenantId"),
  parentId: OptionalUuidArg("parentId"),
  status: StatusArg,
  deleted: DeletedArg,
  ...PagingArgs,
})

const CreateGroupArgs = Schema.Struct({
  input: Schema.Struct({
    id: OptionalUuidArg("id"),
    name: Schema.String,
    tenantId: OptionalUuidArg("tenantId"),
    groupType: OptionalArg(Schema.String),
    description: OptionalArg(Schema.String),
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

const UpdateGroupArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    name: OptionalArg(Schema.String),
    description: OptionalArg(Schema.String),
    status: StatusArg,
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

const SetParentArgs = Schema.Struct({ id: UuidArg("id"), parentId: UuidArg("parentId") })
const SetObjectParentArgs = Schema.Struct({
  objectGroupId: UuidArg("objectGroupId"),
  parentGroupId: UuidArg("parentGroupId"),
})
const ObjectGroupIdArgs = Schema.Struct({ objectGroupId: UuidArg("objectGroupId") })
const MemberArgs = Schema.Struct({ groupId: UuidArg("groupId"), entityId: UuidArg("entityId") })
const GroupIdArgs = Schema.Struct({ groupId: UuidArg("groupId") })
const EntityIdArgs = Schema.Struct({ entityId: UuidArg("entityId") })
const ChildGroupsArgs = Schema.Struct({ parentId: UuidArg("parentId"), ...PagingArgs })

const isGroupType = Schema.is(GroupType)

/** `createGroup` takes its type from the input (object by default); the typed creators force theirs. */
const groupTypeOf = (raw: string | null) =>
  raw === null
    ? Effect.succeed("object" as const)
    : isGroupType(raw)
      ? Effect.succeed(raw)
      : Effect.fail(new InvalidInput({ message: "groupType must be object or principal" }))

type GroupsArgs = typeof GroupsArgs.Type

const listGroups = (caller: Caller, a: GroupsArgs, groupType: GroupType | null) =>
  Effect.flatMap(GroupService, (s) =>
    s.list(
      caller,
      { q: a.q, tenantId: a.tenantId, parentId: a.parentId, status: a.status, groupType, deleted: a.deleted ?? "live" },
      pagingOf(a),
    ),
  ).pipe(Effect.map((page) => ({ items: page.items.map(encodeGroup), total: page.total })))

const createAs = (caller: Caller, type: GroupType, input: CreateGroupInput) =>
  Effect.flatMap(GroupService, (s) => s.create(caller, type, input)).pipe(Effect.map(encodeGroup))

/** Object and principal groups: CRUD, lifecycle, trees and membership (api.md §3.5). */
export const groupsModule: GraphqlModule<GroupService> = {
  typeDefs: "",
  resolvers: {
    Query: {
      groups: callerField(GroupsArgs, (caller, a) => listGroups(caller, a, null)),
      objectGroups: callerField(GroupsArgs, (caller, a) => listGroups(caller, a, "object")),
      principalGroups: callerField(GroupsArgs, (caller, a) =>
        listGroups(caller, { ...a, parentId: null }, "principal"),
      ),
      group: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(GroupService, (s) => s.get(caller, id)).pipe(Effect.map(encodeGroup)),
      ),
      groupMembers: callerField(GroupIdArgs, (caller, { groupId }) =>
        Effect.flatMap(GroupService, (s) => s.members(caller, groupId)).pipe(
          Effect.map((list) => list.map(encodeEntity)),
        ),
      ),
      entityGroups: callerField(EntityIdArgs, (caller, { entityId }) =>
        Effect.flatMap(GroupService, (s) => s.entityGroups(caller, entityId)),
      ),
      childGroups: callerField(ChildGroupsArgs, (caller, a) =>
        Effect.flatMap(GroupService, (s) => s.childGroups(caller, a.parentId, pagingOf(a))).pipe(
          Effect.map((page) => ({ items: page.items.map(encodeGroup), total: page.total })),
        ),
      ),
    },
    Mutation: {
      createGroup: callerField(CreateGroupArgs, (caller, { input }) =>
        Effect.flatMap(groupTypeOf(input.groupType), (type) => createAs(caller, type, input)),
      ),
      createObjectGroup: callerField(CreateGroupArgs, (caller, { input }) => createAs(caller, "object", input)),
      createPrincipalGroup: callerField(CreateGroupArgs, (caller, { input }) => createAs(caller, "principal", input)),
      updateGroup: callerField(UpdateGroupArgs, (caller, { id, input }) =>
        Effect.flatMap(GroupService, (s) => s.update(caller, id, input)).pipe(Effect.map(encodeGroup)),
      ),
      enableGroup: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(GroupService, (s) => s.enable(caller, id)).pipe(Effect.map(encodeGroup)),
      ),
      disableGroup: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(GroupService, (s) => s.disable(caller, id)).pipe(Effect.map(encodeGroup)),
      ),
      suspendGroup: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(GroupService, (s) => s.suspend(caller, id)).pipe(Effect.map(encodeGroup)),
      ),
      setGroupParent: callerField(SetParentArgs, (caller, a) =>
        Effect.flatMap(GroupService, (s) => s.setParent(caller, a.id, a.parentId, null)).pipe(Effect.map(encodeGroup)),
      ),
      setObjectGroupParent: callerField(SetObjectParentArgs, (caller, a) =>
        Effect.flatMap(GroupService, (s) => s.setParent(caller, a.objectGroupId, a.parentGroupId, "object")).pipe(
          Effect.map(encodeGroup),
        ),
      ),
      removeGroupParent: callerField(IdArgs, (caller, { id }) =>
        Effect.flatMap(GroupService, (s) => s.removeParent(caller, id, null)),
      ),
      removeObjectGroupParent: callerField(ObjectGroupIdArgs, (caller, { objectGroupId }) =>
        Effect.flatMap(GroupService, (s) => s.removeParent(caller, objectGroupId, "object")),
      ),
      deleteGroup: callerField(IdArgs, (caller, { id }) => Effect.flatMap(GroupService, (s) => s.delete(caller, id))),
      restoreGroup: callerField(IdArgs, (caller, { id }) => Effect.flatMap(GroupService, (s) => s.restore(caller, id))),
      purgeGroup: callerField(IdArgs, (caller, { id }) => Effect.flatMap(GroupService, (s) => s.purge(caller, id))),
      addGroupMember: callerField(MemberArgs, (caller, a) =>
        Effect.flatMap(GroupService, (s) => s.addMember(caller, a.groupId, a.entityId)),
      ),
      removeGroupMember: callerField(MemberArgs, (caller, a) =>
        Effect.flatMap(GroupService, (s) => s.removeMember(caller, a.groupId, a.entityId)),
      ),
    },
  },
}
