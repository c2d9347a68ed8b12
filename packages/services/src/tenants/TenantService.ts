import { randomUUID } from "node:crypto"
import type { TenantStatus } from "@atom/domain/authz"
import type { AtomConfig } from "@atom/domain/config"
import { Internal, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import {
  type DeletedFilter,
  type Page,
  type Paging,
  TENANT_ADMIN_ROLE,
  type Tenant,
  TenantAdminActions,
  type TenantRoleAssignment,
} from "@atom/domain/tenants"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import type { AssignmentRules, PermissionBlocks, PolicySubjects } from "@atom/repositories/policy"
import {
  TenantBootstrap,
  type TenantFilter,
  TenantMemberships,
  type TenantPatch,
  TenantRoles,
  Tenants,
} from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { AuthzState } from "../authz/AuthzState.js"
import { anyOf, Gate, Platform, Tenant as TenantScope } from "../authz/Gate.js"
import { Pdp } from "../authz/Pdp.js"
import { guardrailsForRoleHolder } from "../policy/guardrailsForRoleHolder.js"
import { inTransaction } from "./inTransaction.js"
import { tenantListing } from "./listableTenants.js"
import { requireTenantRead } from "./requireTenantRead.js"
import { TenantAuthz } from "./TenantAuthz.js"
import { aliasOf, jsonObjectOf, requiredText, tagsOf } from "./tenantInput.js"

export interface CreateTenantInput {
  /** client-chosen (Magistrala domain ids), canonical */
  readonly id: string | null
  readonly name: string
  readonly alias: string | null
  readonly tags: ReadonlyArray<string> | null
  readonly attributes: unknown
}

/** Patch semantics: undefined keeps; `alias: null` clears; null elsewhere keeps. */
export interface UpdateTenantInput {
  readonly name?: string | null | undefined
  readonly alias?: string | null | undefined
  readonly tags?: ReadonlyArray<string> | null | undefined
  readonly attributes?: unknown
}

export interface TenantListQuery {
  readonly q: string | null
  readonly name: string | null
  readonly alias: string | null
  readonly status: TenantStatus | null
  readonly deleted: DeletedFilter
}

const notFound = (id: string) => new NotFound({ message: `tenant ${id} not found` })

/** Tenants (identity-certs §1.4): create with its admin bootstrap, update, read, list, the caller's roles. */
export class TenantService extends Effect.Service<TenantService>()("atom/TenantService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const gate = yield* Gate
    const tenants = yield* Tenants
    const bootstrap = yield* TenantBootstrap
    const memberships = yield* TenantMemberships
    const roles = yield* TenantRoles
    const pdp = yield* Pdp
    const authzState = yield* AuthzState
    // what the bootstrap's guardrails read
    const guardrailContext = yield* Effect.context<PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig>()
    const transact = inTransaction(sql)
    const bump = bumpAuthzRevision.pipe(Effect.provideService(SqlClient.SqlClient, sql))

    const create = (caller: Caller, input: CreateTenantInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["manage", "create"], Platform))
        const name = yield* requiredText("name", input.name)
        const alias = yield* aliasOf(input.alias)
        const tags = yield* tagsOf(input.tags ?? [])
        const attributes = yield* jsonObjectOf("attributes", input.attributes)
        const id = input.id ?? randomUUID()
        const grant = {
          tenantId: id,
          roleId: randomUUID(),
          roleName: TENANT_ADMIN_ROLE,
          blockId: randomUUID(),
          assignmentId: randomUUID(),
          creatorId: caller.entityId,
        }
        return yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.insert({ id, name, alias, tags, attributes, createdBy: caller.entityId })
            if (tenant === undefined) return yield* new Internal()
            yield* bootstrap.insertRole(grant)
            yield* bootstrap.insertBlock(grant)
            const added = yield* bootstrap.insertBlockActions(grant.blockId, TenantAdminActions)
            // every tenant-admin action must exist, or the tenant would start without its admin
            if (added !== TenantAdminActions.length) return yield* new Internal()
            yield* bootstrap.linkBlock(grant)
            yield* bootstrap.assignToCreator(grant)
            yield* guardrailsForRoleHolder(id, "entity", caller.entityId, grant.roleId).pipe(
              Effect.provide(guardrailContext),
            )
            yield* memberships.upsertActiveIfHuman(id, caller.entityId)
            yield* bump
            yield* recordChange(caller, "tenant.create", { kind: "tenant", id, tenantId: id }, { name })
            return tenant
          }),
        )
      }).pipe(Effect.withSpan("TenantService.create"))

    const update = (caller: Caller, id: string, input: UpdateTenantInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["manage"], Platform, TenantScope(id)))
        const patch: TenantPatch = {
          name: input.name === undefined || input.name === null ? undefined : yield* requiredText("name", input.name),
          alias: input.alias === undefined ? undefined : yield* aliasOf(input.alias),
          tags: input.tags === undefined || input.tags === null ? undefined : yield* tagsOf(input.tags),
          attributes:
            input.attributes === undefined || input.attributes === null
              ? undefined
              : yield* jsonObjectOf("attributes", input.attributes),
        }
        return yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.update(id, patch, caller.entityId)
            if (tenant === undefined) return yield* notFound(id)
            // attributes feed ABAC conditions
            yield* bump
            yield* recordChange(caller, "tenant.update", { kind: "tenant", id, tenantId: id }, { name: tenant.name })
            return tenant
          }),
        )
      }).pipe(Effect.withSpan("TenantService.update"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* requireTenantRead(pdp, caller, id)
        const tenant = yield* tenants.byId(id)
        if (tenant === undefined || tenant.deletedAt !== null) return yield* notFound(id)
        return tenant
      }).pipe(Effect.withSpan("TenantService.get"))

    const list = (caller: Caller, query: TenantListQuery, page: Paging) =>
      Effect.gen(function* () {
        if (query.deleted !== "live") yield* gate.require(caller, anyOf(["manage"], Platform))
        const filter: TenantFilter = query
        if (yield* gate.allows(caller, anyOf(["read", "manage"], Platform))) {
          const [items, total] = yield* Effect.all([tenants.page(filter, page), tenants.count(filter)], {
            concurrency: 2,
          })
          return { items, total } satisfies Page<Tenant>
        }
        if (query.status !== null && query.status !== "active") return { items: [], total: 0 } satisfies Page<Tenant>
        const listing = yield* tenantListing(authzState, caller)
        const candidates = yield* tenants.listableCandidates(filter, listing.reach)
        const visible = candidates.filter((t) =>
          listing.allows({ id: t.id, status: t.status, deleted: false, attributes: t.attributes }),
        )
        return {
          items: visible.slice(page.offset, page.offset + page.limit),
          total: visible.length,
        } satisfies Page<Tenant>
      }).pipe(Effect.withSpan("TenantService.list"))

    const myRoles = (caller: Caller, tenantId: string) =>
      Effect.gen(function* () {
        yield* requireTenantRead(pdp, caller, tenantId)
        const held: ReadonlyArray<TenantRoleAssignment> = yield* roles.heldBy(caller.entityId, tenantId)
        return held
      }).pipe(Effect.withSpan("TenantService.myRoles"))

    return { create, update, get, list, myRoles } as const
  }),
  dependencies: [TenantAuthz],
}) {}
