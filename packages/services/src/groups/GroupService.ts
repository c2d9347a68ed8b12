import { randomUUID } from "node:crypto"
import type { EntityStatus, JsonObject } from "@atom/domain/authz"
import type { AtomConfig } from "@atom/domain/config"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import type { Group, GroupFilter, GroupType } from "@atom/domain/groups"
import type { Caller } from "@atom/domain/identity"
import type { Page, Paging } from "@atom/domain/tenants"
import { AuthzReferences, Entities } from "@atom/repositories/entities"
import { GroupHierarchy, GroupMembers, Groups } from "@atom/repositories/groups"
import { TenantRefs } from "@atom/repositories/identity"
import type { AssignmentRules, PermissionBlocks, PolicySubjects } from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { requireActiveTenant } from "../entities/activeTenant.js"
import { atTenant, onObject, PLATFORM_MANAGE, readAccess } from "../entities/adminScopes.js"
import { nameInput } from "../entities/aliasInput.js"
import { ReadAccess } from "../entities/ReadAccess.js"
import { bumpRevisionOn, transactionally } from "../entities/transactionally.js"
import { requireMemberInsideGroupTenant } from "../policy/groupMemberBoundary.js"
import { guardrailsForGroupMember, guardrailsForGroupParent } from "../policy/guardrailsForGroupMember.js"

export interface CreateGroupInput {
  readonly id: string | null
  readonly name: string
  readonly tenantId: string | null
  readonly description: string | null
  readonly attributes: JsonObject | null
}

/** Patch semantics: an absent or null field keeps its value. */
export interface UpdateGroupInput {
  readonly name?: string | null | undefined
  readonly description?: string | null | undefined
  readonly status?: EntityStatus | null | undefined
  readonly attributes?: JsonObject | null | undefined
}

const RESTORE_CLASH = "a live record already uses this name; rename the conflicting record before restoring"

const notFound = (id: string) => new NotFound({ message: `group ${id} not found` })
const invalid = (message: string) => new InvalidInput({ message })

const STATUS_EVENT: Record<EntityStatus, string> = {
  active: "group.enable",
  inactive: "group.disable",
  suspended: "group.suspend",
}

/** Group use cases (authz.md §1, §3.2): object and principal groups, their trees and members. */
export class GroupService extends Effect.Service<GroupService>()("atom/GroupService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // what addGroupMember's guardrails read, captured once
    const guardrailContext = yield* Effect.context<PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig>()
    const groups = yield* Groups
    const hierarchy = yield* GroupHierarchy
    const members = yield* GroupMembers
    const entities = yield* Entities
    const references = yield* AuthzReferences
    const tenants = yield* TenantRefs
    const gate = yield* Gate
    const reads = yield* ReadAccess
    const inTransaction = transactionally(sql)
    const bump = bumpRevisionOn(sql)
    /** Records a group change in the current transaction (api.md §6.7 `group.*`, `group_member.*`). */
    const audited = (caller: Caller, event: string, id: string, tenantId: string | null, details = {}) =>
      recordChange(caller, event, { kind: "group", id, tenantId }, details)

    /** A live group (optionally of one type), or `group <id> not found`. */
    const live = (id: string, type: GroupType | null = null) =>
      Effect.gen(function* () {
        const group = yield* groups.byId(id)
        if (group === undefined || group.deletedAt !== null) return yield* notFound(id)
        if (type !== null && group.groupType !== type) {
          return yield* invalid(`group ${id} is not ${type === "object" ? "an object" : "a principal"} group`)
        }
        return group
      })
    const reload = (id: string) => Effect.flatMap(groups.byId(id), (g) => Effect.orDie(Effect.fromNullable(g)))
    /** `manage` on the group object or at its tenant scope: every write to a group. */
    const requireManage = (caller: Caller, group: Group) =>
      gate.require(caller, [...onObject(["manage"], "group", group.id), ...atTenant(["manage"], group.tenantId)])

    const create = (caller: Caller, type: GroupType, input: CreateGroupInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, atTenant(["manage", "write"], input.tenantId))
        yield* requireActiveTenant(tenants, input.tenantId)
        const name = yield* nameInput("name", input.name)
        const id = input.id ?? randomUUID()
        yield* inTransaction(
          Effect.all([
            groups.insert(type, id, input.tenantId, {
              name,
              description: input.description,
              status: "active",
              attributes: input.attributes ?? {},
            }),
            bump,
            audited(caller, "group.create", id, input.tenantId, { group_type: type, name }),
          ]),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("GroupService.create", { attributes: { type } }))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const group = yield* live(id)
        yield* reads.requireRead(caller, { kind: "group", id }, group.tenantId)
        return group
      }).pipe(Effect.withSpan("GroupService.get"))

    const list = (caller: Caller, filter: GroupFilter, paging: Paging) =>
      reads
        .list(caller, filter.deleted, paging, {
          page: (p) => groups.page(filter, p.limit, p.offset),
          count: groups.count(filter),
          candidates: (reach) => groups.listingCandidates(filter, reach),
          byIds: groups.byIds,
        })
        .pipe(Effect.withSpan("GroupService.list"))

    const update = (caller: Caller, id: string, input: UpdateGroupInput, event = "group.update") =>
      Effect.gen(function* () {
        const current = yield* live(id)
        yield* requireManage(caller, current)
        const name = input.name == null ? current.name : yield* nameInput("name", input.name)
        yield* inTransaction(
          Effect.gen(function* () {
            const updated = yield* groups.update(current.groupType, id, {
              name,
              description: input.description ?? current.description,
              status: input.status ?? current.status,
              attributes: input.attributes ?? current.attributes,
            })
            if (!updated) return yield* notFound(id)
            yield* bump
            yield* audited(caller, event, id, current.tenantId)
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("GroupService.update"))

    const setStatus = (caller: Caller, id: string, status: EntityStatus) =>
      update(caller, id, { status }, STATUS_EVENT[status]).pipe(
        Effect.withSpan("GroupService.setStatus", { attributes: { status } }),
      )

    /** One parent per group, same type and tenant, never a cycle (checked under the tree's lock). */
    const setParent = (caller: Caller, id: string, parentId: string, type: GroupType | null) =>
      Effect.gen(function* () {
        const child = yield* live(id, type)
        const parent = yield* live(parentId, type)
        yield* requireManage(caller, child)
        if (child.id === parent.id) return yield* invalid("a group cannot be its own parent")
        if (child.groupType !== parent.groupType) return yield* invalid("parent group must be of the same group type")
        if (child.tenantId !== parent.tenantId) return yield* invalid("parent group must be in the same tenant")
        yield* inTransaction(
          Effect.gen(function* () {
            yield* hierarchy.lock(child.groupType)
            const above = yield* hierarchy.selfAndAncestors(child.groupType, parent.id)
            if (above.includes(child.id)) return yield* invalid("setting this parent would create a cycle")
            // the child's members (and its descendants') receive what the parent holds: guardrails judge it
            if (child.groupType === "principal") {
              yield* guardrailsForGroupParent(child.id, parent.id).pipe(Effect.provide(guardrailContext))
            }
            yield* hierarchy.setParent(child.groupType, child.id, parent.id, child.tenantId)
            yield* bump
            yield* audited(caller, "group.parent.set", child.id, child.tenantId, { parent_id: parent.id })
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("GroupService.setParent"))

    const removeParent = (caller: Caller, id: string, type: GroupType | null) =>
      Effect.gen(function* () {
        const group = yield* live(id, type)
        yield* requireManage(caller, group)
        yield* inTransaction(
          Effect.all([
            hierarchy.removeParent(group.groupType, id),
            bump,
            audited(caller, "group.parent.remove", id, group.tenantId),
          ]),
        )
        return true
      }).pipe(Effect.withSpan("GroupService.removeParent"))

    /** Soft delete: the tombstone only; hierarchy and containment stay (authz.md §6.7). */
    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const group = yield* live(id)
        yield* requireManage(caller, group)
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* groups.softDelete(group.groupType, id, caller.entityId))) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "group.delete", id, group.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("GroupService.delete"))

    const tombstoned = (id: string, verb: "restore" | "purge") =>
      Effect.flatMap(groups.byId(id), (g) =>
        g === undefined || g.deletedAt === null
          ? Effect.fail(new NotFound({ message: `no soft-deleted group ${id} to ${verb}` }))
          : Effect.succeed(g),
      )

    const restore = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const group = yield* tombstoned(id, "restore")
        if (group.tenantId !== null) {
          const tenant = yield* tenants.byId(group.tenantId)
          if (tenant?.deleted === true) {
            return yield* new Conflict({ message: "the group's tenant is soft-deleted; restore the tenant first" })
          }
        }
        yield* inTransaction(
          Effect.all([groups.restore(group.groupType, id), bump, audited(caller, "group.restore", id, group.tenantId)]),
        ).pipe(Effect.catchTag("Conflict", () => Effect.fail(new Conflict({ message: RESTORE_CLASH }))))
        return true
      }).pipe(Effect.withSpan("GroupService.restore"))

    const purge = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const group = yield* tombstoned(id, "purge")
        yield* inTransaction(
          Effect.gen(function* () {
            yield* references.removeBlocksTargeting([id])
            if (group.groupType === "principal") yield* references.removeGrantsOf("group", [id])
            yield* groups.purge(group.groupType, id)
            yield* bump
            yield* audited(caller, "group.purge", id, group.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("GroupService.purge"))

    /**
     * Principal-group membership (authz.md §1): both sides live and active, their tenants active; the member
     * inside the group's tenant as an assignment's subject would be (§6.17 fixed). Guardrails (§3.4) run inside
     * the write's transaction.
     */
    const addMember = (caller: Caller, groupId: string, entityId: string) =>
      Effect.gen(function* () {
        const group = yield* live(groupId)
        const entity = yield* entities.byId(entityId)
        if (entity === undefined || entity.deletedAt !== null) {
          return yield* new NotFound({ message: `entity ${entityId} not found` })
        }
        yield* requireManage(caller, group)
        if (group.groupType !== "principal") return yield* invalid(`group ${groupId} is not a principal group`)
        if (group.status !== "active") return yield* invalid(`group ${groupId} is not active`)
        if (entity.status !== "active") return yield* invalid(`entity ${entityId} is not active`)
        for (const tenantId of new Set([group.tenantId, entity.tenantId])) {
          yield* requireActiveTenant(tenants, tenantId)
        }
        yield* inTransaction(
          Effect.all(
            [
              requireMemberInsideGroupTenant(group.tenantId, entityId),
              guardrailsForGroupMember(groupId, entityId),
              members.add(groupId, entityId),
              bump,
              audited(caller, "group_member.add", groupId, group.tenantId, { entity_id: entityId }),
            ],
            { discard: true },
          ).pipe(Effect.provide(guardrailContext)),
        )
        return true
      }).pipe(Effect.withSpan("GroupService.addMember"))

    const removeMember = (caller: Caller, groupId: string, entityId: string) =>
      Effect.gen(function* () {
        const group = yield* live(groupId)
        yield* requireManage(caller, group)
        return yield* inTransaction(
          Effect.gen(function* () {
            const removed = yield* members.remove(groupId, entityId)
            if (removed) yield* bump
            if (removed) yield* audited(caller, "group_member.remove", groupId, group.tenantId, { entity_id: entityId })

            return removed
          }),
        )
      }).pipe(Effect.withSpan("GroupService.removeMember"))

    /** Principal groups: direct members; object groups: directly contained entities. */
    const membersOf = (caller: Caller, groupId: string) =>
      Effect.gen(function* () {
        const group = yield* live(groupId)
        yield* gate.require(caller, readAccess("group", groupId, group.tenantId))
        return yield* group.groupType === "principal"
          ? entities.inPrincipalGroup(groupId)
          : entities.inObjectGroup(groupId)
      }).pipe(Effect.withSpan("GroupService.members"))

    /** The live principal groups an entity is a direct member of. */
    const groupsOf = (caller: Caller, entityId: string) =>
      Effect.gen(function* () {
        const entity = yield* entities.byId(entityId)
        if (entity === undefined || entity.deletedAt !== null) {
          return yield* new NotFound({ message: `entity ${entityId} not found` })
        }
        yield* gate.require(caller, readAccess("entity", entityId, entity.tenantId))
        return yield* members.groupsOf(entityId)
      }).pipe(Effect.withSpan("GroupService.entityGroups"))

    const children = (caller: Caller, parentId: string, paging: Paging) =>
      Effect.gen(function* () {
        const parent = yield* live(parentId)
        yield* gate.require(caller, readAccess("group", parentId, parent.tenantId))
        const filter: GroupFilter = {
          q: null,
          tenantId: null,
          parentId,
          status: null,
          groupType: parent.groupType,
          deleted: "live",
        }
        const [items, total] = yield* Effect.all([
          groups.page(filter, paging.limit, paging.offset),
          groups.count(filter),
        ])
        return { items, total } satisfies Page<Group>
      }).pipe(Effect.withSpan("GroupService.childGroups"))

    return {
      create,
      get,
      list,
      update,
      enable: (caller: Caller, id: string) => setStatus(caller, id, "active"),
      disable: (caller: Caller, id: string) => setStatus(caller, id, "inactive"),
      suspend: (caller: Caller, id: string) => setStatus(caller, id, "suspended"),
      setParent,
      removeParent,
      delete: remove,
      restore,
      purge,
      addMember,
      removeMember,
      members: membersOf,
      entityGroups: groupsOf,
      childGroups: children,
    } as const
  }),
}) {}
