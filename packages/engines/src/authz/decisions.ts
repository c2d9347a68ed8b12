import type {
  Decision,
  DecisionCode,
  Grant,
  GrantEvaluation,
  LifecycleDetails,
  MissingObjectKind,
  TenantId,
  TenantStatus,
} from "@atom/domain/authz"
import {
  ALLOWED,
  DENIED_BY_CEILING,
  DENIED_BY_DIRECT_POLICY,
  deniedByRole,
  NO_MATCHING_ALLOW,
  objectNotFound,
  SUBJECT_NOT_ACTIVE,
  SUBJECT_NOT_FOUND,
  tenantIs,
  unknownAction,
} from "./reasons.js"

const noEvaluations: ReadonlyArray<GrantEvaluation> = []

const decision = (
  code: DecisionCode,
  reason: string,
  decidingGrant: Grant | null = null,
  evaluated: ReadonlyArray<GrantEvaluation> = noEvaluations,
  nearestFailure: GrantEvaluation | null = null,
  details: LifecycleDetails | null = null,
): Decision => ({ allowed: code === "allowed", code, reason, details, decidingGrant, nearestFailure, evaluated })

// Pre-grant outcomes carry nothing variable, so they are shared.
export const subjectNotFound: Decision = decision("subject_not_found", SUBJECT_NOT_FOUND)
export const subjectNotActive: Decision = decision("subject_inactive", SUBJECT_NOT_ACTIVE)

const notFoundByKind: Record<MissingObjectKind, Decision> = {
  resource: decision("object_not_found", objectNotFound("resource")),
  tenant: decision("object_not_found", objectNotFound("tenant")),
  entity: decision("object_not_found", objectNotFound("entity")),
  group: decision("object_not_found", objectNotFound("group")),
  credential: decision("object_not_found", objectNotFound("credential")),
}
export const objectMissing = (kind: MissingObjectKind): Decision => notFoundByKind[kind]

export const tenantBlocked = (tenantId: TenantId, status: TenantStatus): Decision =>
  decision("tenant_lifecycle", tenantIs(status), null, noEvaluations, null, {
    tenant_id: tenantId,
    tenant_status: status,
  })

export const actionUnknown = (action: string): Decision => decision("unknown_action", unknownAction(action))

/** Role grants name their role; every other deny is a direct policy's. */
export const denyReason = (grant: Grant): string =>
  grant.source === "role_assignment" ? deniedByRole(grant.roleName ?? grant.roleId ?? "") : DENIED_BY_DIRECT_POLICY

export const explicitDeny = (grant: Grant, evaluated?: ReadonlyArray<GrantEvaluation>): Decision =>
  decision("explicit_deny", denyReason(grant), grant, evaluated)

export const noAllow = (evaluated?: ReadonlyArray<GrantEvaluation>, nearest?: GrantEvaluation | null): Decision =>
  decision("no_allow", NO_MATCHING_ALLOW, null, evaluated, nearest ?? null)

export const ceilingDenied = (evaluated?: ReadonlyArray<GrantEvaluation>, nearest?: GrantEvaluation | null): Decision =>
  decision("ceiling", DENIED_BY_CEILING, null, evaluated, nearest ?? null)

export const allowed = (grant: Grant, evaluated?: ReadonlyArray<GrantEvaluation>): Decision =>
  decision("allowed", ALLOWED, grant, evaluated)
