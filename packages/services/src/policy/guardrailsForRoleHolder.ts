import type { AtomConfig } from "@atom/domain/config"
import type { InvalidInput } from "@atom/domain/errors"
import type { SubjectKind } from "@atom/domain/policy"
import type { DbFailure } from "@atom/repositories/db"
import { type AssignmentRules, PermissionBlocks, PolicySubjects } from "@atom/repositories/policy"
import { Effect } from "effect"
import { enforceGuardrails } from "./enforceGuardrails.js"

/**
 * Guardrails of handing a role to a subject under a boundary: every block of the role, judged for the kinds
 * of entities the subject reaches. Tenant bootstrap runs it for the creator's `tenant-admin` role (authz.md
 * §6.2 fixed: the reference skipped guardrails there, so a device could become a tenant's admin).
 */
export const guardrailsForRoleHolder = (
  boundary: string | null,
  subjectKind: SubjectKind,
  subjectId: string,
  roleId: string,
): Effect.Effect<void, InvalidInput | DbFailure, PermissionBlocks | PolicySubjects | AssignmentRules | AtomConfig> =>
  Effect.gen(function* () {
    const kinds = yield* (yield* PolicySubjects).entityKinds(subjectKind, subjectId)
    const blocks = yield* (yield* PermissionBlocks).ofRoleForGuardrails(roleId)
    yield* enforceGuardrails([{ holder: { tenantId: boundary, entityKinds: kinds }, blocks }])
  }).pipe(Effect.withSpan("Guardrails.forRoleHolder"))
