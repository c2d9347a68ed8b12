import type { EntityKind, ScopeMode } from "@atom/domain/authz"
import type { GuardrailDecision } from "@atom/domain/policy"

/**
 * One thing an assignment hands out, as guardrails judge it (authz.md §3.4): an entity of `entityKind`
 * receiving `action` on `objectKind` (a catalogue kind, or the pseudo-kinds `platform` / `object`),
 * optionally narrowed to a namespaced `objectType`, under the assignment's tenant boundary.
 */
export interface GuardrailAssignment {
  readonly entityKind: EntityKind
  readonly action: string
  readonly objectKind: string
  readonly objectType: string | null
  readonly tenantId: string | null
}

/** What guardrails need of a rule (a stored ActionAssignmentRule fits). */
export interface GuardrailRule {
  /** null = global rule */
  readonly tenantId: string | null
  readonly entityKind: EntityKind
  readonly actionName: string
  readonly objectKind: string
  readonly objectType: string | null
  readonly decision: GuardrailDecision
  readonly isAbsolute: boolean
}

/** The real kind/type of an exact-object block's target, when it resolves to one guardrails know. */
export interface BlockTarget {
  readonly kind: "resource" | "entity" | "group" | "tenant"
  readonly type: string | null
}

/** Where one action applies: an applicability row of the action vocabulary (type null = every type). */
export interface ActionCoverage {
  readonly action: string
  readonly objectKind: string
  readonly objectType: string | null
}

/** What guardrails need of a permission block: its scope and its action names. */
export interface GuardrailBlock {
  readonly scopeMode: ScopeMode
  readonly objectKind: string | null
  readonly objectType: string | null
  /** exact-object blocks only; null when the target is of another kind or gone */
  readonly target: BlockTarget | null
  readonly actions: ReadonlyArray<string>
  /**
   * Platform and tenant blocks only: where each of the block's actions applies, since such a block covers
   * every object of those kinds (§6.2 fixed). Empty for other modes.
   */
  readonly covers: ReadonlyArray<ActionCoverage>
}

/** Who receives a set of blocks under one tenant boundary: the distinct kinds of the entities reached. */
export interface GuardrailHolder {
  readonly tenantId: string | null
  readonly entityKinds: ReadonlyArray<EntityKind>
}

/** When no rule matches: allow (the reference) or deny (`ATOM_GUARDRAIL_DEFAULT=deny`). */
export type GuardrailFallback = "allow" | "deny"
