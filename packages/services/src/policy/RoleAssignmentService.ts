import { randomUUID } from "node:crypto"
import type { AtomConfig } from "@atom/domain/config"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { CreateRoleAssignmentInput, Paged, RoleAssignmentFilter, RoleAssignmentView } from "@atom/domain/policy"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import {
  type AssignmentRules,
  PermissionBlocks,
  type PolicyActions,
  PolicySubjects,
  RoleAssignments,
  Roles,
} from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { enforceGuardrails } from "./enforceGuardrails.js"
import { policyManage, policyRead } from "./policyGates.js"
import { assignmentViews } from "./policyViews.js"
import { boundaryViolation, lockSubject } from "./subjectBoundary.js"
import { transactional } from "./transaction.js"

type Env = PolicyActions | PermissionBlocks | Roles | PolicySubjects | AssignmentRules | AtomConfig

/** Role assignments (authz.md §1, §3.3): subject boundary and guardrails checked under locks. */
export class RoleAssignmentService extends Effect.Service<RoleAssignmentService>()("atom/RoleAssignmentService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const assignments = yield* RoleAssignments
    const roles = yield* Roles
    const blocks = yield* PermissionBlocks
    const subjects = yield* PolicySubjects
    const env = yield* Effect.context<Env>()
    const inEnv = <A, E>(effect: Effect.Effect<A, E, Env>) => Effect.provide(effect, env)
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)

    const list = (caller: Caller, filter: RoleAssignmentFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(filter.tenantId))
        const page = yield* assignments.list(filter)
        const items = yield* inEnv(assignmentViews(page.items))
        return { items, total: page.total } satisfies Paged<RoleAssignmentView>
      }).pipe(Effect.withSpan("RoleAssignmentService.list"))

    /**
     * The subject must be live and active in active tenants, the role live and of the assignment's tenant,
     * the subject inside the boundary, and every block of the role pass the guardrails for the kinds of
     * entities the subject reaches; all judged under row locks, nothing written otherwise.
     */
    const create = (caller: Caller, input: CreateRoleAssignmentInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyManage(input.tenantId))
        const id = randomUUID()
        const created = yield* inTransaction(
          Effect.gen(function* () {
            const subject = yield* inEnv(lockSubject(input.tenantId, input.subjectKind, input.subjectId))
            const role = yield* roles.lockLive(input.roleId, "share")
            if (role === undefined) return yield* new NotFound({ message: `role ${input.roleId} not found` })
            if (role.tenantId !== input.tenantId) {
              return yield* new InvalidInput({ message: "role assignment tenantId must match role tenantId" })
            }
            const violation = boundaryViolation(input.tenantId, subject)
            if (violation !== null) return yield* new InvalidInput({ message: violation })
            const kinds = yield* subjects.entityKinds(input.subjectKind, input.subjectId)
            const judged = yield* blocks.ofRoleForGuardrails(input.roleId)
            yield* inEnv(
              enforceGuardrails([{ holder: { tenantId: input.tenantId, entityKinds: kinds }, blocks: judged }]),
            )
            const row = yield* assignments.insert(id, input)
            yield* bump
            yield* recordChange(
              caller,
              "role_assignment.create",
              { kind: "role_assignment", id, tenantId: input.tenantId },
              { role_id: input.roleId, subject_kind: input.subjectKind, subject_id: input.subjectId },
            )
            return row
          }),
        )
        const [shown] = yield* inEnv(assignmentViews([created]))
        return shown ?? (yield* Effect.dieMessage(`role assignment ${id} vanished`))
      }).pipe(Effect.withSpan("RoleAssignmentService.create"))

    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const assignment = yield* assignments.byId(id)
        const notFound = new NotFound({ message: `role assignment ${id} not found` })
        if (assignment === undefined) return yield* notFound
        yield* gate.require(caller, policyManage(assignment.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            if (!(yield* assignments.remove(id))) return yield* notFound
            yield* bump
            const target = { kind: "role_assignment", id, tenantId: assignment.tenantId }
            yield* recordChange(caller, "role_assignment.delete", target, { role_id: assignment.roleId })
          }),
        )
        return true
      }).pipe(Effect.withSpan("RoleAssignmentService.remove"))

    return { list, create, remove } as const
  }),
}) {}
