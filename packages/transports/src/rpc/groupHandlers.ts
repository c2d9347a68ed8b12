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

/** The `principalGroups` / `objectGroups` listing: one type, the filters of GraphQL (principal: no parent). */
const listAs = (caller: Caller, groupType: GroupType, p: typeof ListObjectGroupsPayload.Type) =>
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

/** Groups and membership over RPC: the calls `groupsModule` makes, through the same service and gates. */
export const groupHandlers = GroupRpcs.of({
  CreatePrincipalGroup: (p) => asCaller((caller) => createAs(caller, "principal", p)),
  CreateObjectGroup: (p) => asCaller((caller) => createAs(caller, "object", p)),
  GetGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.get(caller, id))),
  ListPrincipalGroups: (p) => asCaller((caller) => listAs(caller, "principal", p)),
  ListObjectGroups: (p) => asCaller((caller) => listAs(caller, "object", p)),
  UpdateGroup: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.update(caller, id, patch))),
  DeleteGroup: ({ id }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.delete(caller, id))),
  AddGroupMember: ({ groupId, entityId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.addMember(caller, groupId, entityId))),
  RemoveGroupMember: ({ groupId, entityId }) =>
    asCaller((caller) => Effect.flatMap(GroupService, (s) => s.removeMember(caller, groupId, entityId))),
  GroupMembers: ({ groupId }) => asCaller((caller) => Effect.flatMap(GroupService, (s) => s.members(caller, groupId))),
})
