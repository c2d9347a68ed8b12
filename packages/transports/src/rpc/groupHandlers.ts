import type { GroupType } from "@atom/domain/groups"
import type { Caller } from "@atom/domain/identity"
import { type CreateGroupPayload, GroupRpcs, type ListObjectGroupsPayload } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { GroupService } from "@atom/services/groups"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

const createAs = (caller: Caller, type: GroupType, p: typeof CreateGroupPayload.Type) =>
  Effect.flatMap(GroupService, (s) =>
    s.create(caller, type, {
      id: p.id ?? null,
      name: p.name,
      tenantId: p.tenantId ?? null,
      description: p.description ?? null,
      attributes: p.attributes ?? null,
    }),
  )

/** The `groups` / `principalGroups` / `objectGroups` listing: one type or all, the filters of GraphQL. */
const listAs = (caller: Caller, groupType: GroupType | null, p: typeof ListObjectGroupsPayload.Type) =>
  Effect.flatMap(GroupService, (s) =>
    s.list(
      caller,
      {
        q: p.q?.trim() || null,
        tenantId: p.tenantId ?? null,
        parentId: p.parentId ?? null,
        status: p.status ?? null,
        groupType,
        deleted: p.deleted ?? "live",
      },
      paging(p),
    ),
  )

/** Groups, their lifecycle and trees, and membership over RPC: the calls `groupsModule` makes, through the same service and gates. */
export const groupHandlers = GroupRpcs.of({
  CreatePrincipalGroup: (p) => asCaller((caller) => createAs(caller, "principal", p)),
  CreateObjectGroup: (p) => asCaller((caller) => createAs(caller, "object", p)),
  GetGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.get(caller, id))),
  ListPrincipalGroups: (p) => asCaller((caller) => listAs(caller, "principal", p)),
  ListObjectGroups: (p) => asCaller((caller) => listAs(caller, "object", p)),
  ListGroups: (p) => asCaller((caller) => listAs(caller, null, p)),
  UpdateGroup: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.update(caller, id, patch))),
  DeleteGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.delete(caller, id))),
  RestoreGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.restore(caller, id))),
  PurgeGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.purge(caller, id))),
  EnableGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.enable(caller, id))),
  DisableGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.disable(caller, id))),
  SuspendGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.suspend(caller, id))),
  SetGroupParent: ({ id, parentId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.setParent(caller, id, parentId, null))),
  RemoveGroupParent: ({ id }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.removeParent(caller, id, null))),
  ChildGroups: ({ parentId, ...p }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.childGroups(caller, parentId, paging(p)))),
  AddGroupMember: ({ groupId, entityId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.addMember(caller, groupId, entityId))),
  RemoveGroupMember: ({ groupId, entityId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.removeMember(caller, groupId, entityId))),
  GroupMembers: ({ groupId }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.members(caller, groupId))),
  EntityGroups: ({ entityId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.entityGroups(caller, entityId))),
})
