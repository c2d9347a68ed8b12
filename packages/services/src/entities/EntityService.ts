import { randomUUID } from "node:crypto"
import type { EntityKind, EntityStatus, JsonObject } from "@atom/domain/authz"
import type { AtomConfig } from "@atom/domain/config"
import { DEFAULT_OWNERSHIP_RELATION, type Entity, type EntityFilter, parentGroupAttribute } from "@atom/domain/entities"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import { AUTHENTICATED_USERS_GROUP_ID } from "@atom/domain/groups"
import type { Caller } from "@atom/domain/identity"
import type { Paging } from "@atom/domain/tenants"
import { revokeEntityCertificatesInTx } from "@atom/repositories/certificates"
import { AuthzReferences, Entities, EntityProfiles, type EntityValues, Ownerships } from "@atom/repositories/entities"
import { Containment, GroupMembers, Groups } from "@atom/repositories/groups"
import { Sessions, TenantRefs } from "@atom/repositories/identity"
import type { AssignmentRules, PermissionBlocks } from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { liveObjectGroup, placementTenant } from "../groups/objectGroupPlacement.js"
import { guardrailsForKindChange } from "../policy/guardrailsForKindChange.js"
import { requireActiveTenant } from "./activeTenant.js"
import { atTenant, onObject, PLATFORM_MANAGE, readAccess } from "./adminScopes.js"
import { aliasInput, nameInput } from "./aliasInput.js"
import { ProfileSchemas } from "./ProfileSchemas.js"
import { ReadAccess } from "./ReadAccess.js"
import { resolveEntityProfile } from "./resolveEntityProfile.js"
import { privilegedChanges } from "./selfUpdate.js"
import { bumpRevisionOn, transactionally } from "./transactionally.js"

export interface CreateEntityInput {
  readonly id: string | null
  readonly profileId: string | null
  readonly profileVersionId: string | null
  readonly kind: EntityKind | null
  readonly name: string
  readonly alias: string | null
  readonly tenantId: string | null
  readonly attributes: JsonObject | null
}

/** Patch semantics: an absent or null field keeps its value, except `alias`, which null clears. */
export interface UpdateEntityInput {
  readonly name?: string | null | undefined
  readonly kind?: EntityKind | null | undefined
  readonly alias?: string | null | undefined
  readonly tenantId?: string | null | undefined
  readonly profileId?: string | null | undefined
  readonly profileVersionId?: string | null | undefined
  readonly status?: EntityStatus | null | undefined
  readonly attributes?: JsonObject | null | undefined
}

const RESTORE_CLASH = "a live record already uses this name; rename the conflicting record before restoring"

const notFound = (id: string) => new NotFound({ message: `entity ${id} not found` })

const STATUS_EVENT: Record<EntityStatus, string> = {
  active: "entity.enable",
  inactive: "entity.disable",
  suspended: "entity.suspend",
}

/** A caller acting on itself needs no grant, unless it holds a scoped token (its ceiling applies). */
const isSelf = (caller: Caller, id: string) => caller.entityId === id && !caller.scoped

/** Entity use cases (identity-certs §1.1, §1.7; authz.md §3.2): gate first, then one transaction. */
export class EntityService extends Effect.Service<EntityService>()("atom/EntityService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const entities = yield* Entities
    /**
     * An entity leaving `active` (disabled or suspended) loses its certificates for good, as on
     * delete: a certificate cannot be un-revoked, and relying parties that only read the CRL or
     * OCSP must stop trusting it now. Re-enabling does not bring them back; issue new ones.
     */
    const revokeCertificatesLeaving = (id: string, from: EntityStatus, to: EntityStatus) =>
      from === "active" && to !== "active"
        ? Effect.provideService(revokeEntityCertificatesInTx(id, `entity_${to}`), SqlClient.SqlClient, sql)
        : Effect.succeed(0)
    const ownerships = yield* Ownerships
    const profiles = yield* EntityProfiles
    const references = yield* AuthzReferences
    const groups = yield* Groups
    const containment = yield* Containment
    const members = yield* GroupMembers
    const tenants = yield* TenantRefs
    const sessions = yield* Sessions
    const gate = yield* Gate
    const reads = yield* ReadAccess
    const schemas = yield* ProfileSchemas
    const guardrailContext = yield* Effect.context<PermissionBlocks | AssignmentRules | AtomConfig>()
    const inTransaction = transactionally(sql)
    const bump = bumpRevisionOn(sql)

    /** A live entity, or `entity <id> not found`. */
    const live = (id: string) =>
      Effect.flatMap(entities.byId(id), (e) =>
        e === undefined || e.deletedAt !== null ? Effect.fail(notFound(id)) : Effect.succeed(e),
      )
    const reload = (id: string) => Effect.flatMap(entities.byId(id), (e) => Effect.orDie(Effect.fromNullable(e)))
    /** Records an entity change in the current transaction (api.md §6.7 `entity.*`). */
    const audited = (caller: Caller, event: string, id: string, tenantId: string | null, details = {}) =>
      recordChange(caller, event, { kind: "entity", id, tenantId }, details)

    const create = (caller: Caller, input: CreateEntityInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, atTenant(["manage", "write"], input.tenantId))
        yield* requireActiveTenant(tenants, input.tenantId)
        const name = yield* nameInput("name", input.name)
        const alias = yield* aliasInput(input.alias)
        const profile = yield* resolveEntityProfile(profiles, input)
        const attributes = input.attributes ?? {}
        yield* schemas.check(profile.profileVersionId, attributes)
        const parentGroupId = yield* Either.match(parentGroupAttribute(attributes), {
          onLeft: (message) => Effect.fail(new InvalidInput({ message })),
          onRight: Effect.succeed,
        })
        const placement =
          parentGroupId === null
            ? null
            : yield* Effect.gen(function* () {
                const group = yield* liveObjectGroup(groups, parentGroupId)
                return { groupId: group.id, tenantId: yield* placementTenant(group, input.tenantId, "entity") }
              })
        const id = input.id ?? randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* entities.insert(id, {
              ...profile,
              name,
              alias,
              tenantId: input.tenantId,
              status: "active",
              attributes,
            })
            if (placement !== null) yield* containment.placeEntity(id, placement.groupId, placement.tenantId)
            if (profile.kind === "human") yield* members.add(AUTHENTICATED_USERS_GROUP_ID, id)
            yield* bump
            yield* audited(caller, "entity.create", id, input.tenantId, { kind: profile.kind, name })
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("EntityService.create"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const entity = yield* live(id)
        if (!isSelf(caller, id)) yield* reads.requireRead(caller, { kind: "entity", id }, entity.tenantId)
        return entity
      }).pipe(Effect.withSpan("EntityService.get"))

    const list = (caller: Caller, filter: EntityFilter, paging: Paging) =>
      reads
        .list(caller, filter.deleted, paging, {
          page: (p) => entities.page(filter, p.limit, p.offset),
          count: entities.count(filter),
          candidates: (reach) => entities.listingCandidates(filter, reach),
          byIds: entities.byIds,
        })
        .pipe(Effect.withSpan("EntityService.list"))

    /** The merged values of a patch, validated (profile, alias, tenant moves). */
    const patched = (current: Entity, input: UpdateEntityInput) =>
      Effect.gen(function* () {
        const name = input.name == null ? current.name : yield* nameInput("name", input.name)
        const alias = input.alias === undefined ? current.alias : yield* aliasInput(input.alias)
        const tenantId = input.tenantId ?? current.tenantId
        if (tenantId !== current.tenantId) {
          // a move needs both tenants active
          yield* requireActiveTenant(tenants, current.tenantId)
          yield* requireActiveTenant(tenants, tenantId)
        }
        const profileChanged = input.profileId != null || input.profileVersionId != null
        const profileId = input.profileId ?? current.profileId
        const profile =
          profileId !== null && (profileChanged || input.kind != null)
            ? yield* resolveEntityProfile(profiles, {
                profileId,
                profileVersionId:
                  input.profileVersionId ?? (profileId === current.profileId ? current.profileVersionId : null),
                kind: input.kind ?? null,
              })
            : {
                profileId: current.profileId,
                profileVersionId: current.profileVersionId,
                kind: input.kind ?? current.kind,
              }
        const attributes = input.attributes ?? current.attributes
        // the pinned version judges the attributes whenever either changes
        if (input.attributes != null || profile.profileVersionId !== current.profileVersionId) {
          yield* schemas.check(profile.profileVersionId, attributes)
        }
        return {
          ...profile,
          name,
          alias,
          tenantId,
          status: input.status ?? current.status,
          attributes,
        } satisfies EntityValues
      })

    const update = (caller: Caller, id: string, input: UpdateEntityInput) =>
      Effect.gen(function* () {
        const current = yield* live(id)
        // oneself: name and alias freely; what the entity is or may do only with the grant others need
        if (!isSelf(caller, id) || privilegedChanges(current, input).length > 0) {
          yield* gate.require(caller, [
            ...onObject(["manage"], "entity", id),
            ...atTenant(["manage", "write"], current.tenantId),
          ])
        }
        // moving into another tenant needs a grant there too
        if (input.tenantId != null && input.tenantId !== current.tenantId) {
          yield* gate.require(caller, atTenant(["manage", "write"], input.tenantId))
        }
        const values = yield* patched(current, input)
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* entities.update(id, values))) return yield* notFound(id)
            yield* revokeCertificatesLeaving(id, current.status, values.status)
            // the row is locked now: what the entity holds is judged again for its new kind (authz.md §3.4)
            if (values.kind !== current.kind) {
              yield* guardrailsForKindChange(id, values.kind).pipe(Effect.provide(guardrailContext))
            }
            // containment is within one tenant: a move takes the entity out of its old group
            if (values.tenantId !== current.tenantId) yield* containment.clearEntity(id)
            yield* bump
            yield* audited(caller, "entity.update", id, values.tenantId)
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("EntityService.update"))

    const setStatus = (caller: Caller, id: string, status: EntityStatus) =>
      Effect.gen(function* () {
        const current = yield* live(id)
        yield* gate.require(caller, atTenant(["manage", "write"], current.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* entities.setStatus(id, status))) return yield* notFound(id)
            yield* revokeCertificatesLeaving(id, current.status, status)
            yield* bump
            yield* audited(caller, STATUS_EVENT[status], id, current.tenantId)
          }),
        )
        return yield* reload(id)
      }).pipe(Effect.withSpan("EntityService.setStatus", { attributes: { status } }))

    /** Soft delete (identity-certs §1.7): inactive + tombstone, credentials and sessions revoked, emails freed. */
    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const current = yield* live(id)
        if (!isSelf(caller, id)) {
          yield* gate.require(caller, [
            ...onObject(["manage"], "entity", id),
            ...atTenant(["manage"], current.tenantId),
          ])
        }
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* entities.softDelete(id, caller.entityId))) return yield* notFound(id)
            yield* entities.revokeCredentials(id, "entity_deleted")
            yield* sessions.revokeAllOf(id)
            yield* entities.tombstoneEmails(id)
            yield* bump
            yield* audited(caller, "entity.delete", id, current.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("EntityService.delete"))

    const restore = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const current = yield* entities.byId(id)
        if (current === undefined || current.deletedAt === null) {
          return yield* new NotFound({ message: `no soft-deleted entity ${id} to restore` })
        }
        if (current.tenantId !== null) {
          const tenant = yield* tenants.byId(current.tenantId)
          if (tenant?.deleted === true) {
            return yield* new Conflict({
              message: "the entity's tenant is soft-deleted; restore the tenant first",
            })
          }
        }
        yield* inTransaction(
          Effect.gen(function* () {
            yield* entities.restoreEmails(id)
            yield* entities.restore(id)
            yield* bump
            yield* audited(caller, "entity.restore", id, current.tenantId)
          }),
        ).pipe(Effect.catchTag("Conflict", () => Effect.fail(new Conflict({ message: RESTORE_CLASH }))))
        return true
      }).pipe(Effect.withSpan("EntityService.restore"))

    /** Hard delete of a tombstoned entity and of the authorization rows that would dangle. */
    const purge = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, PLATFORM_MANAGE)
        const current = yield* entities.byId(id)
        if (current === undefined || current.deletedAt === null) {
          return yield* new NotFound({ message: `no soft-deleted entity ${id} to purge` })
        }
        yield* inTransaction(
          Effect.gen(function* () {
            const credentials = yield* entities.credentialIds([id])
            yield* references.removeBlocksTargeting([id, ...credentials])
            yield* references.removeGrantsOf("entity", [id])
            yield* entities.purge(id)
            yield* bump
            yield* audited(caller, "entity.purge", id, current.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("EntityService.purge"))

    const setParentGroup = (caller: Caller, entityId: string, groupId: string) =>
      Effect.gen(function* () {
        const entity = yield* live(entityId)
        const group = yield* liveObjectGroup(groups, groupId)
        yield* gate.require(caller, [
          ...onObject(["manage", "write"], "entity", entityId),
          ...onObject(["write"], "group", groupId),
          ...atTenant(["manage", "write"], entity.tenantId),
          ...atTenant(["manage", "write"], group.tenantId),
        ])
        const tenantId = yield* placementTenant(group, entity.tenantId, "entity")
        yield* inTransaction(
          Effect.all([
            containment.placeEntity(entityId, groupId, tenantId),
            bump,
            audited(caller, "entity.parent_group.set", entityId, entity.tenantId, { group_id: groupId }),
          ]),
        )
        return yield* reload(entityId)
      }).pipe(Effect.withSpan("EntityService.setParentGroup"))

    const clearParentGroup = (caller: Caller, entityId: string) =>
      Effect.gen(function* () {
        const entity = yield* live(entityId)
        yield* gate.require(caller, [
          ...onObject(["manage", "write"], "entity", entityId),
          ...atTenant(["manage", "write"], entity.tenantId),
        ])
        yield* inTransaction(
          Effect.all([
            containment.clearEntity(entityId),
            bump,
            audited(caller, "entity.parent_group.clear", entityId, entity.tenantId),
          ]),
        )
        return yield* reload(entityId)
      }).pipe(Effect.withSpan("EntityService.clearParentGroup"))

    /** `manage` on both ends, each at its object or tenant scope (authz.md §3.5). */
    const requireOwnershipEnds = (caller: Caller, owner: Entity, owned: Entity) =>
      Effect.forEach([owner, owned], (e) =>
        gate.require(caller, [...onObject(["manage"], "entity", e.id), ...atTenant(["manage"], e.tenantId)]),
      )

    const addOwnership = (caller: Caller, ownerId: string, ownedId: string, relation: string | null) =>
      Effect.gen(function* () {
        const owner = yield* live(ownerId)
        const owned = yield* live(ownedId)
        yield* requireOwnershipEnds(caller, owner, owned)
        const rel = relation === null ? DEFAULT_OWNERSHIP_RELATION : yield* nameInput("relation", relation)
        return yield* inTransaction(
          Effect.tap(ownerships.upsert(ownerId, ownedId, rel), () =>
            audited(caller, "entity.ownership.add", ownedId, owned.tenantId, { owner_id: ownerId, relation: rel }),
          ),
        )
      }).pipe(Effect.withSpan("EntityService.addOwnership"))

    const removeOwnership = (caller: Caller, ownerId: string, ownedId: string) =>
      Effect.gen(function* () {
        const owner = yield* live(ownerId)
        const owned = yield* live(ownedId)
        yield* requireOwnershipEnds(caller, owner, owned)
        return yield* inTransaction(
          Effect.tap(ownerships.remove(ownerId, ownedId), (removed) =>
            removed
              ? audited(caller, "entity.ownership.remove", ownedId, owned.tenantId, { owner_id: ownerId })
              : Effect.void,
          ),
        )
      }).pipe(Effect.withSpan("EntityService.removeOwnership"))

    const ownedEntities = (caller: Caller, ownerId: string) =>
      Effect.gen(function* () {
        const owner = yield* live(ownerId)
        yield* gate.require(caller, readAccess("entity", ownerId, owner.tenantId))
        return yield* entities.ownedBy(ownerId)
      }).pipe(Effect.withSpan("EntityService.ownedEntities"))

    return {
      create,
      get,
      list,
      update,
      enable: (caller: Caller, id: string) => setStatus(caller, id, "active"),
      disable: (caller: Caller, id: string) => setStatus(caller, id, "inactive"),
      delete: remove,
      restore,
      purge,
      setParentGroup,
      clearParentGroup,
      addOwnership,
      removeOwnership,
      ownedEntities,
    } as const
  }),
}) {}
