import type { AtomConfig } from "@atom/domain/config"
import type { InvalidInput } from "@atom/domain/errors"
import type { DbFailure } from "@atom/repositories/db"
import { type AssignmentRules, PermissionBlocks, PolicySubjects } from "@atom/repositories/policy"
import { Effect } from "effect"
import { enforceGuardrails } from "./enforceGuardrails.js"

/**
 * Guardrails of `addGroupMember(groupId, entityId)` (authz.md §3.4): the new member receives every
 * direct policy and role assignment on the principal group and its ancestors, each judged with its
 * block's real scope (role grants too, §6.3 fixed) under its binding's tenant boundary. Fails with
 * `guardrail rejected …` / `guardrail requires override …`; succeeds when the entity is unknown (the
 * caller reports that). Run it inside the membership write's transaction, before the insert.
 */
export const guardrailsForGroupMember = (
  groupId: string,
  entityId: string,
): Effect.Effect<void, InvalidInput | DbFailure, PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig> =>
  Effect.gen(function* () {
    const kinds = yield* (yield* PolicySubjects).entityKinds("entity", entityId)
    if (kinds.length === 0) return
    const bound = yield* (yield* PermissionBlocks).reachingGroupForGuardrails(groupId)
    yield* enforceGuardrails(
      bound.map((b) => ({ holder: { tenantId: b.tenantId, entityKinds: kinds }, blocks: [b.block] })),
    )
  }).pipe(Effect.withSpan("Guardrails.forGroupMember"))

/**
 * Guardrails of `setGroupParent(child, parent)` on principal groups (§6.3 fixed: one expansion for every write
 * that hands grants out): every member of the child and of its descendants receives what the parent and its
 * ancestors hold, each block under its binding's tenant boundary. Run inside the write's transaction.
 */
export const guardrailsForGroupParent = (
  childId: string,
  parentId: string,
): Effect.Effect<void, InvalidInput | DbFailure, PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig> =>
  Effect.gen(function* () {
    const kinds = yield* (yield* PolicySubjects).entityKinds("group", childId)
    if (kinds.length === 0) return
    const bound = yield* (yield* PermissionBlocks).reachingGroupForGuardrails(parentId)
    yield* enforceGuardrails(
      bound.map((b) => ({ holder: { tenantId: b.tenantId, entityKinds: kinds }, blocks: [b.block] })),
    )
  }).pipe(Effect.withSpan("Guardrails.forGroupParent"))
