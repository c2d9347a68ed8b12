import type { EntityKind } from "@atom/domain/authz"
import type { AtomConfig } from "@atom/domain/config"
import type { InvalidInput } from "@atom/domain/errors"
import type { DbFailure } from "@atom/repositories/db"
import { type AssignmentRules, PermissionBlocks } from "@atom/repositories/policy"
import { Effect } from "effect"
import { enforceGuardrails } from "./enforceGuardrails.js"

/**
 * Guardrails of an entity changing kind (authz.md §3.4): every grant it holds — its own direct policies and
 * role assignments and those of the principal groups it belongs to, with their ancestors — is judged again
 * for the new kind, each block under its binding's tenant boundary, exactly as for a new holder. Fails with
 * `guardrail rejected …` / `guardrail requires override …`. Run it inside the update's transaction.
 */
export const guardrailsForKindChange = (
  entityId: string,
  kind: EntityKind,
): Effect.Effect<void, InvalidInput | DbFailure, PermissionBlocks | AssignmentRules | AtomConfig> =>
  Effect.gen(function* () {
    const held = yield* (yield* PermissionBlocks).heldByEntityForGuardrails(entityId)
    yield* enforceGuardrails(
      held.map((b) => ({ holder: { tenantId: b.tenantId, entityKinds: [kind] }, blocks: [b.block] })),
    )
  }).pipe(Effect.withSpan("Guardrails.forKindChange"))
