import { randomUUID } from "node:crypto"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { BlockFilter, CreatePermissionBlockInput, Paged, PermissionBlockView } from "@atom/domain/policy"
import { validateConditions } from "@atom/engines/conditions"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import type { DbFailure } from "@atom/repositories/db"
import { PermissionBlocks, PolicyActions, type PolicySubjects, PolicyTargets } from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { type ApplicabilityCheck, type BlockShape, blockShape, inapplicable } from "./blockShape.js"
import { policyManage, policyRead } from "./policyGates.js"
import { blockViews } from "./policyViews.js"
import { lockActiveTenant } from "./subjectBoundary.js"
import { transactional } from "./transaction.js"

const notFound = (id: string) => new NotFound({ message: `permission block ${id} not found` })
const invalid = (message: string) => new InvalidInput({ message })
const orInvalid = <A>(either: Either.Either<A, string>) =>
  Either.match(either, { onLeft: (message) => Effect.fail(invalid(message)), onRight: Effect.succeed })

/** Where a block points: what applicability is checked against, and the kind/type the block records. */
interface PointsAt {
  readonly check: ApplicabilityCheck | null
  readonly recorded: { readonly objectKind: string | null; readonly objectType: string | null }
}

/** Permission blocks: created validated (authz.md §3.3), deleted only when nothing references them. */
export class PermissionBlockService extends Effect.Service<PermissionBlockService>()("atom/PermissionBlockService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const blocks = yield* PermissionBlocks
    const actions = yield* PolicyActions
    const targets = yield* PolicyTargets
    const env = yield* Effect.context<PolicyActions | PolicySubjects>()
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)

    const view = (id: string) =>
      Effect.gen(function* () {
        const block = yield* blocks.byId(id)
        const [shown] = block === undefined ? [] : yield* Effect.provide(blockViews([block]), env)
        return shown ?? (yield* Effect.dieMessage(`permission block ${id} vanished`))
      })

    /**
     * Kind/type modes check their own kind/type; an exact-object block checks (and records) its live target's
     * real kind/type; group modes need a live object group of the block's own tenant.
     */
    const pointsAt = (
      shape: BlockShape,
      input: CreatePermissionBlockInput,
    ): Effect.Effect<PointsAt, InvalidInput | DbFailure> =>
      Effect.gen(function* () {
        const asGiven = { objectKind: input.objectKind, objectType: input.objectType }
        switch (shape._tag) {
          case "Unchecked":
            return { check: null, recorded: asGiven }
          case "Kind":
            return { check: shape.check, recorded: asGiven }
          case "Object": {
            const target = yield* targets.resolve(shape.objectId)
            if (target === undefined) return yield* invalid("object permission block references unknown object")
            // a tenant-bound block only ever matches objects of its tenant (§2.5): another tenant's would be inert
            if (input.tenantId !== null && target.tenantId !== input.tenantId) {
              return yield* invalid("object permission block must reference an object in the same tenant")
            }
            const kindAndType = { objectKind: target.objectKind, objectType: target.objectType }
            return { check: kindAndType, recorded: kindAndType }
          }
          case "Group": {
            const group = yield* targets.objectGroup(shape.groupId)
            if (group === undefined) return yield* invalid("object group scope references unknown group")
            if (group.tenantId !== shape.tenantId) {
              return yield* invalid("object group scope must reference a group in the same tenant")
            }
            return { check: shape.check, recorded: asGiven }
          }
        }
      })

    const list = (caller: Caller, filter: BlockFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(filter.tenantId))
        const page = yield* blocks.list(filter)
        const items = yield* Effect.provide(blockViews(page.items), env)
        return { items, total: page.total } satisfies Paged<PermissionBlockView>
      }).pipe(Effect.withSpan("PermissionBlockService.list"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const block = yield* blocks.byId(id)
        if (block === undefined) return yield* notFound(id)
        yield* gate.require(caller, policyRead(block.tenantId))
        return yield* view(id)
      }).pipe(Effect.withSpan("PermissionBlockService.get"))

    /**
     * Validates scope fields per mode, conditions, actions and their applicability where the block points
     * (authz.md §3.3), then writes the block and its actions in one transaction.
     */
    const create = (caller: Caller, input: CreatePermissionBlockInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyManage(input.tenantId))
        const shape = yield* orInvalid(blockShape(input))
        const conditions = yield* orInvalid(validateConditions(input.conditions))
        const actionIds = [...new Set(input.actionIds)]
        if (actionIds.length === 0) return yield* invalid("permission block requires at least one action")
        const id = randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* Effect.provide(lockActiveTenant(input.tenantId), env)
            const found = yield* actions.byIds(actionIds)
            const missing = actionIds.find((a) => !found.some((f) => f.id === a))
            if (missing !== undefined) return yield* invalid(`capability ${missing} does not exist`)
            const { check, recorded } = yield* pointsAt(shape, input)
            const refused = check === null ? null : inapplicable(found, check)
            if (refused !== null) return yield* invalid(refused)
            yield* blocks.insert({
              id,
              tenantId: input.tenantId,
              scopeMode: shape.scopeMode,
              objectKind: recorded.objectKind,
              objectType: recorded.objectType,
              objectId: input.objectId,
              groupId: input.groupId,
              effect: input.effect,
              conditions,
              actionIds,
            })
            yield* bump
            yield* recordChange(
              caller,
              "permission_block.create",
              { kind: "permission_block", id, tenantId: input.tenantId },
              { effect: input.effect, scope_mode: shape.scopeMode, action_ids: actionIds },
            )
          }),
        )
        return yield* view(id)
      }).pipe(Effect.withSpan("PermissionBlockService.create"))

    /** Refused while a role link or direct policy references the block (authz.md §1). */
    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const block = yield* blocks.byId(id)
        if (block === undefined) return yield* notFound(id)
        yield* gate.require(caller, policyManage(block.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            const locked = yield* blocks.lockForDelete(id)
            if (locked === undefined) return yield* notFound(id)
            if (locked.referenced) {
              return yield* invalid("permission block is still linked to a role or direct policy; unlink it first")
            }
            yield* blocks.remove(id)
            yield* bump
            yield* recordChange(caller, "permission_block.delete", {
              kind: "permission_block",
              id,
              tenantId: block.tenantId,
            })
          }),
        )
        return true
      }).pipe(Effect.withSpan("PermissionBlockService.remove"))

    return { list, get, create, remove } as const
  }),
}) {}
