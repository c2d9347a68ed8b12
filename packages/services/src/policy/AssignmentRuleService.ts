import { randomUUID } from "node:crypto"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { ActionAssignmentRule, AssignmentRuleFilter, CreateAssignmentRuleInput, Paged } from "@atom/domain/policy"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { AssignmentRules, PolicyActions, type PolicySubjects } from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { namespacedTypeOf } from "./namespacedType.js"
import { policyManage, policyRead } from "./policyGates.js"
import { lockActiveTenant } from "./subjectBoundary.js"
import { transactional } from "./transaction.js"

const invalid = (message: string) => new InvalidInput({ message })

/** Guardrail rules (authz.md §1); v1 creation: no require_override, tenant rules only non-absolute denies. */
export class AssignmentRuleService extends Effect.Service<AssignmentRuleService>()("atom/AssignmentRuleService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const rules = yield* AssignmentRules
    const actions = yield* PolicyActions
    const env = yield* Effect.context<PolicySubjects>()
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)

    const list = (caller: Caller, filter: AssignmentRuleFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(filter.tenantId))
        return (yield* rules.list(filter)) satisfies Paged<ActionAssignmentRule>
      }).pipe(Effect.withSpan("AssignmentRuleService.list"))

    const create = (caller: Caller, input: CreateAssignmentRuleInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyManage(input.tenantId))
        const actionName = input.actionName.trim()
        if (actionName === "") return yield* invalid("actionName is required")
        if (input.decision === "require_override") {
          return yield* invalid("require_override guardrail creation is not available in v1")
        }
        if (input.tenantId !== null && input.decision !== "deny") {
          return yield* invalid("tenant-specific guardrail rules can only deny in v1")
        }
        if (input.tenantId !== null && input.isAbsolute) {
          return yield* invalid("tenant-specific guardrail rules cannot be absolute")
        }
        const objectType = yield* namespacedTypeOf(input.objectKind, input.objectType)
        return yield* inTransaction(
          Effect.gen(function* () {
            yield* Effect.provide(lockActiveTenant(input.tenantId), env)
            if (!(yield* actions.nameExists(actionName))) {
              return yield* invalid(`actionName references unknown action ${actionName}`)
            }
            const rule = yield* rules.insert(randomUUID(), { ...input, actionName, objectType })
            yield* bump
            const target = { kind: "action_assignment_rule", id: rule.id, tenantId: input.tenantId }
            yield* recordChange(caller, "action_assignment_rule.create", target, {
              action_name: actionName,
              decision: input.decision,
            })
            return rule
          }),
        )
      }).pipe(Effect.withSpan("AssignmentRuleService.create"))

    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const notFound = new NotFound({ message: `action assignment rule ${id} not found` })
        const rule = yield* rules.byId(id)
        if (rule === undefined) return yield* notFound
        yield* gate.require(caller, policyManage(rule.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            if ((yield* rules.remove(id)) === undefined) return yield* notFound
            yield* bump
            const target = { kind: "action_assignment_rule", id, tenantId: rule.tenantId }
            yield* recordChange(caller, "action_assignment_rule.delete", target)
          }),
        )
        return true
      }).pipe(Effect.withSpan("AssignmentRuleService.remove"))

    return { list, create, remove } as const
  }),
}) {}
