import { randomUUID } from "node:crypto"
import type { JsonObject } from "@atom/domain/authz"
import { parentGroupAttribute } from "@atom/domain/entities"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { ResourceFilter } from "@atom/domain/resources"
import type { Paging } from "@atom/domain/tenants"
import { AuthzReferences, Entities } from "@atom/repositories/entities"
import { Containment, Groups } from "@atom/repositories/groups"
import { TenantRefs } from "@atom/repositories/identity"
import { Resources } from "@atom/repositories/resources"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { requireActiveTenant } from "../entities/activeTenant.js"
import { atTenant, onObject, PLATFORM_MANAGE } from "../entities/adminScopes.js"
import { aliasInput, nameInput } from "../entities/aliasInput.js"
import { ReadAccess } from "../entities/ReadAccess.js"
import { bumpRevisionOn, transactionally } from "../entities/transactionally.js"
import { liveObjectGroup, placementTenant } from "../groups/objectGroupPlacement.js"

export interface CreateResourceInput {
  readonly id: string | null
  readonly kind: string
  readonly name: string | null
  readonly alias: string | null
  readonly tenantId: string | null
  readonly ownerId: string | null
  readonly attributes: JsonObject | null
}

/** Patch semantics: an absent or null field keeps its value, except `alias`, which null clears. */
export interface UpdateResourceInput {
  readonly name?: string | null | undefined
  readonly alias?: string | null | undefined
  readonly attributes?: JsonObject | null | undefined
}

const RESTORE_CLASH = "a live record already uses this name; rename the conflicting record before restoring"

const notFound = (id: string) => new NotFound({ message: `resource ${id} not found` })

/** Resource use cases (authz.md §1, §3.2): gate first, then one transaction. */
export class ResourceService extends Effect.Service<ResourceService>()("atom/ResourceService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const resources = yield* Resources
    const entities = yield* Entities
    const groups = yield* Groups
    const containment = yield* Containment
    const references = yield* AuthzReferences
    const tenants = yield* TenantRefs
    const gate = yield* Gate
    const reads = yield* ReadAccess
    const inTransaction = transactionally(sql)
    const bump = bumpRevisionOn(sql)
    /** Records a resource change in the current transaction (api.md §6.7 `resource.*`). */
    const audited = (caller: Caller, event: string, id: string, tenantId: string | null, details = {}) =>
      recordChange(caller, event, { kind: "resource", id, tenantId }, details)

    const live = (id: string) =>
      Effect.flatMap(resources.byId(id), (r) =>
        r === undefined || r.deletedAt !== null ? Effect.fail(notFound(id)) : Effect.succeed(r),
      )
    const reload = (id: string) => Effect.flatMap(resources.byId(id), (r) => Effect.orDie(Effect.fromNullable(r)))
    /** `manage` on the resource object or at its tenant scope: update and delete. */
    const manageOf = (id: string, tenantId: string | null) => [
      ...onObject(["manage"], "resource", id),
      ...atTenant(["manage"], tenantId),
    ]

    const create = (caller: Caller, input: CreateResourceInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, atTenant(["manage", "write"], input.tenantId))
        yield* requireActiveTenant(tenants, input.tenantId)
        const kind = yield* nameInput("kind", input.kind)
        const alias = yield* aliasInput(input.alias)
        if (input.ownerId !== null) {
          const owner = yield* entities.byId(input.ownerId)
          if (owner === undefined || owner.deletedAt !== null) {
            return yield* new NotFound({ message: `entity ${input.ownerId} not found` })
          }
        }
        const attributes = input.attributes ?? {}
        const parentGroupId = yield* Either.match(parentGroupAttribute(attributes), {
          onLeft: (message) => Effect.fail(new InvalidInput({ message })),
          onRight: Effect.succeed,
        })
        const placement =
          parentGroupId === null
            ? null
            : yield* Effect.gen(function* () {
                const group = yield* liveObjectGroup(groups, parentGroupId)
                return { groupId: group.id, tenantId: yield* placementTenant(group, input.tenantId, "resource") }
              })
        const id = input.id ?? randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* resources.insert(id, {
              kind,
              name: input.name,
              alias,
              tenantId: input.tenantId,
              ownerId: input.ownerId,
              attributes,
            })
            if (placement !== null) yield* containment.placeResource(id, placement.groupId, placement.tenantId)
            yield* bump
            yield* audited(caller, "resource.create", id, input.tenantId, { kind })
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("ResourceService.create"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const resource = yield* live(id)
        yield* reads.requireRead(caller, { kind: "resource", id }, resource.tenantId)
        return resource
      }).pipe(Effect.withSpan("ResourceService.get"))

    const list = (caller: Caller, filter: ResourceFilter, paging: Paging) =>
      reads
        .list(caller, filter.deleted, paging, {
          page: (p) => resources.page(filter, p.limit, p.offset),
          count: resources.count(filter),
          candidates: (reach) => resources.listingCandidates(filter, reach),
          byIds: resources.byIds,
        })
        .pipe(Effect.withSpan("ResourceService.list"))

    /** Distinct kinds of the resources the caller can read (platform readers: all of them). */
    const kinds = (caller: Caller, tenantId: string | null) =>
      Effect.gen(function* () {
        if (yield* reads.seesEverything(caller)) return yield* resources.kinds(tenantId)
        const filter: ResourceFilter = {
          q: null,
          kind: null,
          tenantId,
          attributesContains: null,
          parentGroupId: null,
          includeDescendants: false,
          deleted: "live",
        }
        const visible = yield* reads.listable(caller, (reach) => resources.listingCandidates(filter, reach))
        return [...new Set(visible.map((c) => c.object.subKind))].sort()
      }).pipe(Effect.withSpan("ResourceService.kinds"))

    const update = (caller: Caller, id: string, input: UpdateResourceInput) =>
      Effect.gen(function* () {
        const current = yield* live(id)
        yield* gate.require(caller, manageOf(id, current.tenantId))
        const alias = input.alias === undefined ? current.alias : yield* aliasInput(input.alias)
        yield* inTransaction(
          Effect.gen(function* () {
            const updated = yield* resources.update(id, {
              name: input.name ?? current.name,
              alias,
              attributes: input.attributes ?? current.attributes,
            })
            if (!updated) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "resource.update", id, current.tenantId)
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("ResourceService.update"))

    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const current = yield* live(id)
        yield* gate.require(caller, manageOf(id, current.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* resources.softDelete(id, caller.entityId))) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "resource.delete", id, current.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("ResourceService.delete"))

    const tombstoned = (id: string, verb: "restore" | "purge") =>
      Effect.flatMap(resources.byId(id), (r) =>
        r === undefined || r.deletedAt === null
          ? Effect.fail(new NotFound({ message: `no soft-deleted resource ${id} to ${verb}` }))
          : Effect.succeed(r),
      )

    const restore = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const resource = yield* tombstoned(id, "restore")
        if (resource.tenantId !== null) {
          const tenant = yield* tenants.byId(resource.tenantId)
          if (tenant?.deleted === true) {
            return yield* new Conflict({ message: "the resource's tenant is soft-deleted; restore the tenant first" })
          }
        }
        yield* inTransaction(
          Effect.all([resources.restore(id), bump, audited(caller, "resource.restore", id, resource.tenantId)]),
        ).pipe(Effect.catchTag("Conflict", () => Effect.fail(new Conflict({ message: RESTORE_CLASH }))))
        return true
      }).pipe(Effect.withSpan("ResourceService.restore"))

    const purge = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const purged = yield* tombstoned(id, "purge")
        yield* inTransaction(
          Effect.gen(function* () {
            yield* references.removeBlocksTargeting([id])
            yield* resources.purge(id)
            yield* bump
            yield* audited(caller, "resource.purge", id, purged.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("ResourceService.purge"))

    const setParentGroup = (caller: Caller, resourceId: string, groupId: string) =>
      Effect.gen(function* () {
        const resource = yield* live(resourceId)
        const group = yield* liveObjectGroup(groups, groupId)
        yield* gate.require(caller, [
          ...onObject(["manage", "write"], "resource", resourceId),
          ...onObject(["write"], "group", groupId),
          ...atTenant(["manage", "write"], resource.tenantId),
          ...atTenant(["manage", "write"], group.tenantId),
        ])
        const tenantId = yield* placementTenant(group, resource.tenantId, "resource")
        yield* inTransaction(
          Effect.all([
            containment.placeResource(resourceId, groupId, tenantId),
            bump,
            audited(caller, "resource.parent_group.set", resourceId, resource.tenantId, { group_id: groupId }),
          ]),
        )
        return yield* reload(resourceId)
      }).pipe(Effect.withSpan("ResourceService.setParentGroup"))

    const clearParentGroup = (caller: Caller, resourceId: string) =>
      Effect.gen(function* () {
        const resource = yield* live(resourceId)
        yield* gate.require(caller, [
          ...onObject(["manage", "write"], "resource", resourceId),
          ...atTenant(["manage", "write"], resource.tenantId),
        ])
        yield* inTransaction(
          Effect.all([
            containment.clearResource(resourceId),
            bump,
            audited(caller, "resource.parent_group.clear", resourceId, resource.tenantId),
          ]),
        )

        return yield* reload(resourceId)
      }).pipe(Effect.withSpan("ResourceService.clearParentGroup"))

    return {
      create,
      get,
      list,
      kinds,
      update,
      delete: remove,
      restore,
      purge,
      setParentGroup,
      clearParentGroup,
    } as const
  }),
}) {}
