import { randomUUID } from "node:crypto"
import type { AtomConfig } from "@atom/domain/config"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { CreateRoleInput, Paged, RoleFilter, RoleView, UpdateRoleInput } from "@atom/domain/policy"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import {
  type AssignmentRules,
  PermissionBlocks,
  type PolicyActions,
  type PolicySubjects,
  Roles,
} from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { enforceGuardrails } from "./enforceGuardrails.js"
import { platformManage, roleManage, roleRead } from "./policyGates.js"
import { roleViews } from "./policyViews.js"
import { lockActiveTenant } from "./subjectBoundary.js"
import { transactional } from "./transaction.js"

const MAX_NAME = 200

/** A role name: trimmed, 1–200 characters. */
export const roleName = (name: string): Effect.Effect<string, InvalidInput> => {
  const trimmed = name.trim()
  if (trimmed === "") return Effect.fail(new InvalidInput({ message: "name must not be empty" }))
  if (trimmed.length > MAX_NAME)
    return Effect.fail(new InvalidInput({ message: `name must be at most ${MAX_NAME} characters` }))
  return Effect.succeed(trimmed)
}

const notFound = (id: string) => new NotFound({ message: `role ${id} not found` })

/** Roles and their block links (authz.md §1 roles; gates of §3.2). */
export class RoleService extends Effect.Service<RoleService>()("atom/RoleService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const roles = yield* Roles
    const blocks = yield* PermissionBlocks
    const env = yield* Effect.context<
      PolicyActions | PermissionBlocks | Roles | PolicySubjects | AssignmentRules | AtomConfig
    >()
    const inEnv = <A, E>(
      effect: Effect.Effect<
        A,
        E,
        PolicyActions | PermissionBlocks | Roles | PolicySubjects | AssignmentRules | AtomConfig
      >,
    ) => Effect.provide(effect, env)
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)
    /** Records a role change in the current transaction (api.md §6.7 `role.*`). */
    const audited = (caller: Caller, event: string, id: string, tenantId: string | null, details = {}) =>
      recordChange(caller, event, { kind: "role", id, tenantId }, details)

    const view = (id: string) =>
      Effect.gen(function* () {
        const role = yield* roles.byId(id)
        const [shown] = role === undefined ? [] : yield* inEnv(roleViews([role]))
        return shown ?? (yield* Effect.dieMessage(`role ${id} vanished`))
      })

    /** A live role, or `role <id> not found`. */
    const live = (id: string) =>
      Effect.flatMap(roles.byId(id), (role) =>
        role === undefined || role.deletedAt !== null ? Effect.fail(notFound(id)) : Effect.succeed(role),
      )

    const list = (caller: Caller, filter: RoleFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, filter.deleted === "live" ? roleRead(filter.tenantId) : platformManage)
        const page = yield* roles.list(filter)
        return { items: yield* inEnv(roleViews(page.items)), total: page.total } satisfies Paged<RoleView>
      }).pipe(Effect.withSpan("RoleService.list"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const role = yield* live(id)
        yield* gate.require(caller, roleRead(role.tenantId))
        return yield* view(id)
      }).pipe(Effect.withSpan("RoleService.get"))

    const create = (caller: Caller, input: CreateRoleInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, roleManage(input.tenantId))
        const name = yield* roleName(input.name)
        const id = randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* inEnv(lockActiveTenant(input.tenantId))
            yield* roles.insert({ id, name, tenantId: input.tenantId, description: input.description })
            yield* bump
            yield* audited(caller, "role.create", id, input.tenantId, { name })
          }),
        )
        return yield* view(id)
      }).pipe(Effect.withSpan("RoleService.create"))

    const update = (caller: Caller, id: string, input: UpdateRoleInput) =>
      Effect.gen(function* () {
        const role = yield* live(id)
        yield* gate.require(caller, roleManage(role.tenantId))
        const name = input.name === undefined ? undefined : yield* roleName(input.name)
        yield* inTransaction(
          Effect.gen(function* () {
            const locked = yield* roles.lockLive(id, "update")
            if (locked === undefined) return yield* notFound(id)
            yield* inEnv(lockActiveTenant(locked.tenantId))
            if (!(yield* roles.update(id, { name, description: input.description }))) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "role.update", id, locked.tenantId)
          }),
        )
        return yield* view(id)
      }).pipe(Effect.withSpan("RoleService.update"))

    /**
     * Links exactly these blocks (wholesale), each of the role's own tenant, after judging them against the
     * guardrails for everyone holding the role, under the role's row lock. Unlinked blocks are kept.
     */
    const replaceBlocks = (caller: Caller, roleId: string, blockIds: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const role = yield* live(roleId)
        yield* gate.require(caller, roleManage(role.tenantId))
        const ids = [...new Set(blockIds)]
        yield* inTransaction(
          Effect.gen(function* () {
            const locked = yield* roles.lockLive(roleId, "update")
            if (locked === undefined) return yield* notFound(roleId)
            const found = yield* blocks.byIds(ids)
            if (found.length !== ids.length || found.some((b) => b.tenantId !== locked.tenantId)) {
              return yield* new InvalidInput({
                message: "role permission blocks must exist and belong to the same tenant as the role",
              })
            }
            const holders = yield* roles.holderKinds(roleId)
            if (holders.length > 0 && ids.length > 0) {
              const judged = yield* blocks.forGuardrails(ids)
              yield* inEnv(enforceGuardrails(holders.map((holder) => ({ holder, blocks: judged }))))
            }
            yield* roles.replaceLinks(roleId, ids)
            yield* bump
            yield* audited(caller, "role.permission_blocks.replace", roleId, locked.tenantId, {
              permission_block_ids: ids,
            })
          }),
        )
        return true
      }).pipe(Effect.withSpan("RoleService.replaceBlocks"))

    /** Soft delete: assignments stop granting at once; blocks and links stay until purge. */
    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const role = yield* live(id)
        yield* gate.require(caller, roleManage(role.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* roles.softDelete(id, caller.entityId))) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "role.delete", id, role.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("RoleService.remove"))

    const restore = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, platformManage)
        yield* inTransaction(
          Effect.gen(function* () {
            const tenantDeleted = yield* roles.tombstonedTenantOf(id)
            if (tenantDeleted === undefined)
              return yield* new NotFound({ message: `no soft-deleted role ${id} to restore` })
            if (tenantDeleted) {
              return yield* new Conflict({ message: "the role's tenant is soft-deleted; restore the tenant first" })
            }
            yield* roles.restore(id)
            yield* bump
            const restored = yield* roles.byId(id)
            yield* audited(caller, "role.restore", id, restored?.tenantId ?? null)
          }),
        )
        return true
      }).pipe(Effect.withSpan("RoleService.restore"))

    /** Removes a soft-deleted role for good, with its assignments, and collects blocks nothing else uses. */
    const purge = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, platformManage)
        yield* inTransaction(
          Effect.gen(function* () {
            const purged = yield* roles.purge(id)
            if (purged === undefined) return yield* new NotFound({ message: `no soft-deleted role ${id} to purge` })
            yield* blocks.deleteUnreferenced(purged.blockIds)
            yield* bump
            yield* audited(caller, "role.purge", id, purged.tenantId)
          }),
        )
        return true
      }).pipe(Effect.withSpan("RoleService.purge"))

    return { list, get, create, update, replaceBlocks, remove, restore, purge } as const
  }),
}) {}
