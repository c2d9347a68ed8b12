import { AtomConfig } from "@atom/domain/config"
import { InvalidInput } from "@atom/domain/errors"
import { assignmentsOf, type GuardrailBlock, type GuardrailHolder, judgeAssignments } from "@atom/engines/guardrails"
import type { DbFailure } from "@atom/repositories/db"
import { AssignmentRules } from "@atom/repositories/policy"
import { Effect } from "effect"

/** Blocks handed to the entities a holder reaches, under the holder's tenant boundary. */
export interface GuardedGrant {
  readonly holder: GuardrailHolder
  readonly blocks: ReadonlyArray<GuardrailBlock>
}

/**
 * Judges a write's grants against the guardrail rules (authz.md §3.4): a denied or override-requiring
 * assignment refuses the write with the contract's message; no matching rule falls back to the
 * configured `guardrailDefault`. Call it inside the write's transaction, before anything is written.
 */
export const enforceGuardrails = (
  grants: ReadonlyArray<GuardedGrant>,
): Effect.Effect<void, InvalidInput | DbFailure, AssignmentRules | AtomConfig> =>
  Effect.gen(function* () {
    const assignments = grants.flatMap((g) => assignmentsOf([g.holder], g.blocks))
    if (assignments.length === 0) return
    const config = yield* AtomConfig
    const rules = yield* (yield* AssignmentRules).relevant(
      [...new Set(assignments.map((a) => a.entityKind))],
      [...new Set(assignments.map((a) => a.action))],
    )
    const verdict = judgeAssignments(assignments, rules, config.guardrailDefault)
    if (verdict._tag !== "Allowed") return yield* new InvalidInput({ message: verdict.message })
  }).pipe(Effect.withSpan("Guardrails.enforce", { attributes: { grants: grants.length } }))
