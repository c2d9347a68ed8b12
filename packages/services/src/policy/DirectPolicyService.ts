import { randomUUID } from "node:crypto"
import type { AtomConfig } from "@atom/domain/config"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { CreateDirectPolicyInput, DirectPolicyFilter, DirectPolicyView, Paged } from "@atom/domain/policy"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import {
  type AssignmentRules,
  DirectPolicies,
  PermissionBlocks,
  type PolicyActions,
  PolicySubjects,
} from "@atom/repositories/policy"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { Gate } from "../authz/Gate.js"
import { enforceGuardrails } from "./enforceGuardrails.js"
import { policyManage, policyRead } from "./policyGates.js"
import { directPolicyViews } from "./policyViews.js"
import { boundaryViolation, lockSubject } from "./subjectBoundary.js"
import { transactional } from "./transaction.js"

type Env = PolicyActions | PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig

/** Direct policies (authz.md §1, §3.3): one block on a subject; removing one collects its block if unused. */
export class DirectPolicyService extends Effect.Service<DirectPolicyService>()("atom/DirectPolicyService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const sql = yield* SqlClient.SqlClient
    const policies = yield* DirectPolicies
    const blocks = yield* PermissionBlocks
    const subjects = yield* PolicySubjects
    const env = yield* Effect.context<Env>()
    const inEnv = <A, E>(effect: Effect.Effect<A, E, Env>) => Effect.provide(effect, env)
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, sql)
    const inTransaction = transactional(sql)

    const list = (caller: Caller, filter: DirectPolicyFilter) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyRead(filter.tenantId))
        const page = yield* policies.list(filter)
        const items = yield* inEnv(directPolicyViews(page.items))
        return { items, total: page.total } satisfies Paged<DirectPolicyView>
      }).pipe(Effect.withSpan("DirectPolicyService.list"))

    /** The block must exist with the policy's tenant; then the subject rules and guardrails, under locks. */
    const create = (caller: Caller, input: CreateDirectPolicyInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, policyManage(input.tenantId))
        const id = randomUUID()
        const created = yield* inTransaction(
          Effect.gen(function* () {
            const block = yield* blocks.byId(input.permissionBlockId)
            if (block === undefined) {
              return yield* new InvalidInput({ message: "direct policy references unknown permission block" })
            }
            if (block.tenantId !== input.tenantId) {
              return yield* new InvalidInput({ message: "direct policy tenantId must match permission block tenantId" })
            }
            const subject = yield* inEnv(lockSubject(input.tenantId, input.subjectKind, input.subjectId))
            const violation = boundaryViolation(input.tenantId, subject)
            if (violation !== null) return yield* new InvalidInput({ message: violation })
            const kinds = yield* subjects.entityKinds(input.subjectKind, input.subjectId)
            const judged = yield* blocks.forGuardrails([input.permissionBlockId])
            yield* inEnv(
              enforceGuardrails([{ holder: { tenantId: input.tenantId, entityKinds: kinds }, blocks: judged }]),
            )
            const row = yield* policies.insert(id, input)
            yield* bump
            yield* recordChange(
              caller,
              "direct_policy.create",
              { kind: "direct_policy", id, tenantId: input.tenantId },
              {
                subject_kind: input.subjectKind,
                subject_id: input.subjectId,
                permission_block_id: input.permissionBlockId,
              },
            )
            return row
          }),
        )
        const [shown] = yield* inEnv(directPolicyViews([created]))
        return shown ?? (yield* Effect.dieMessage(`direct policy ${id} vanished`))
      }).pipe(Effect.withSpan("DirectPolicyService.create"))

    /** Deletes the policy and garbage-collects its block when nothing else references it. */
    const remove = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const policy = yield* policies.byId(id)
        const notFound = new NotFound({ message: `direct policy ${id} not found` })
        if (policy === undefined) return yield* notFound
        yield* gate.require(caller, policyManage(policy.tenantId))
        yield* inTransaction(
          Effect.gen(function* () {
            const blockId = yield* policies.remove(id)
            if (blockId === undefined) return yield* notFound
            yield* blocks.deleteUnreferenced([blockId])
            yield* bump
            yield* recordChange(caller, "direct_policy.delete", {
              kind: "direct_policy",
              id,
              tenantId: policy.tenantId,
            })
          }),
        )
        return true
      }).pipe(Effect.withSpan("DirectPolicyService.remove"))

    return { list, create, remove } as const
  }),
}) {}
