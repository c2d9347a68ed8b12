import { randomUUID } from "node:crypto"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type {
  Action,
  ActionFilter,
  ApplicabilityFilter,
  ApplicabilityTarget,
  CreateActionInput,
  Paged,
  UpdateActionInput,
} from "@atom/domain/policy"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { PolicyActions } from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { namespacedTypeOf } from "./namespacedType.js"
import { catalogueManage, policyRead } from "./policyGates.js"
import { transactional } from "./transaction.js"

const MAX_NAME = 200

const notFound = (id: string) => new NotFound({ message: `capability ${id} not found` })

const actionName = (name: string): Effect.Effect<string, InvalidInput> => {
  const trimmed = name.trim()
  if (trimmed === "") return Effect.fail(new InvalidInput({ message: "name must not be empty" }))
  if (trimmed.length > MAX_NAME)
    return Effect.fail(new InvalidInput({ message: `name must be at most ${MAX_NAME} characters` }))
  return Effect.succeed(trimmed)
}

/** Applicability rows normalised (types namespaced under their kind) and de-duplicated. */
const targetsOf = (targets: ReadonlyArray<ApplicabilityTarget>) =>
  Effect.map(
    Effect.forEach(targets, (t) =>
      Effect.map(namespacedTypeOf(t.objectKind, t.objectType), (objectType) => ({
        objectKind: t.objectKind,
        objectType,
      })),
    ),
    (normalised) => [...new Map(normalised.map((t) => [`${t.objectKind}\u0000${t.objectType ?? ""}`, t])).values()],
  )

/** The action vocabulary and its applicability (authz.md §1); every change moves the authz revision. */
export class ActionService extends Effect.Service<ActionService>()("atom/ActionService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const actions = yield* PolicyActions
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)
    /** Records a catalogue change in the current transaction (api.md §6.7 `action.*`); actions are global. */
    const audited = (caller: Caller, event: string, id: string, details = {}) =>
      recordChange(caller, event, { kind: "action", id, tenantId: null }, details)

    const read = (id: string) =>
      Effect.flatMap(actions.byId(id), (a) => (a === undefined ? Effect.fail(notFound(id)) : Effect.succeed(a)))

    /** `tenantId` only chooses where the caller's read permission is checked. */
    const list = (caller: Caller, tenantId: string | null, filter: ActionFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(tenantId))
        return (yield* actions.list(filter)) satisfies Paged<Action>
      }).pipe(Effect.withSpan("ActionService.list"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(null))
        return yield* read(id)
      }).pipe(Effect.withSpan("ActionService.get"))

    const listApplicability = (caller: Caller, tenantId: string | null, filter: ApplicabilityFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(tenantId))
        return yield* actions.listApplicability(filter)
      }).pipe(Effect.withSpan("ActionService.listApplicability"))

    const create = (caller: Caller, input: CreateActionInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, catalogueManage)
        const name = yield* actionName(input.name)
        const targets = yield* targetsOf(input.applicability)
        const id = randomUUID()
        yield* inTransaction(
          Effect.gen(function* () {
            yield* actions.insert({ id, name, description: input.description })
            yield* actions.addApplicability(id, targets)
            yield* bump
            yield* audited(caller, "action.create", id, { name })
          }),
        )
        return yield* read(id)
      }).pipe(Effect.withSpan("ActionService.create"))

    /** Renames, redescribes, and replaces the applicability when one is given. */
    const update = (caller: Caller, id: string, input: UpdateActionInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, catalogueManage)
        const name = input.name === undefined ? undefined : yield* actionName(input.name)
        const targets = input.applicability === undefined ? undefined : yield* targetsOf(input.applicability)
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* actions.update(id, { name, description: input.description }))) return yield* notFound(id)
            if (targets !== undefined) {
              yield* actions.clearApplicability(id)
              yield* actions.addApplicability(id, targets)
            }
            yield* bump
            yield* audited(caller, "action.update", id)
          }),
        )
        return yield* read(id)
      }).pipe(Effect.withSpan("ActionService.update"))

    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, catalogueManage)
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* actions.remove(id))) return yield* notFound(id)
            yield* bump
            yield* audited(caller, "action.delete", id)
          }),
        )
        return true
      }).pipe(Effect.withSpan("ActionService.remove"))

    const addApplicability = (caller: Caller, actionId: string, target: ApplicabilityTarget) =>
      Effect.gen(function* () {
        yield* gate.require(caller, catalogueManage)
        const [normalised] = yield* targetsOf([target])
        if (normalised === undefined) return yield* Effect.dieMessage("no applicability target")
        return yield* inTransaction(
          Effect.gen(function* () {
            if ((yield* actions.byId(actionId)) === undefined) return yield* notFound(actionId)
            yield* actions.addApplicability(actionId, [normalised])
            yield* bump
            yield* audited(caller, "action_applicability.add", actionId, {
              object_kind: normalised.objectKind,
              object_type: normalised.objectType,
            })
            return yield* actions.applicabilityEntry(actionId, normalised)
          }),
        )
      }).pipe(Effect.withSpan("ActionService.addApplicability"))

    const removeApplicability = (caller: Caller, actionId: string, target: ApplicabilityTarget) =>
      Effect.gen(function* () {
        yield* gate.require(caller, catalogueManage)
        const objectType = target.objectType?.trim() || null
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* actions.removeApplicability(actionId, { objectKind: target.objectKind, objectType }))) {
              return yield* new NotFound({ message: "capability applicability row not found" })
            }
            yield* bump
            yield* audited(caller, "action_applicability.remove", actionId, {
              object_kind: target.objectKind,
              object_type: objectType,
            })
          }),
        )
        return true
      }).pipe(Effect.withSpan("ActionService.removeApplicability"))

    return { list, get, listApplicability, create, update, remove, addApplicability, removeApplicability } as const
  }),
}) {}
