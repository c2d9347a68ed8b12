import type { AuditFilter, AuditScope } from "@atom/domain/audit"
import { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { auditReadTenants } from "@atom/engines/audit"
import { emptyGrantSet } from "@atom/engines/authz"
import type { SubjectRecord } from "@atom/repositories/authz"
import { Clock, type Context, Effect } from "effect"
import type { AuthzState } from "../authz/AuthzState.js"
import { gateCredentialOf } from "../authz/decideGate.js"
import { anyOf, type Gate, Platform } from "../authz/Gate.js"

const ALL: AuditScope = { _tag: "All" }

// the gate's own rule (engines/authz/gate.ts): an inactive caller, or one in an unusable tenant, reads nothing
const usable = (record: SubjectRecord): boolean =>
  record.subject.status === "active" &&
  (record.subject.tenantId === null ||
    (record.tenant !== null && !record.tenant.deleted && record.tenant.status === "active"))

/**
 * Which audit rows a caller reads (identity-certs §4): platform `read` or `manage` (the gate) → all;
 * otherwise the tenants of `auditReadTenants`, and no platform rows.
 */
export const auditScopeOf = (gate: Context.Tag.Service<Gate>, state: Context.Tag.Service<AuthzState>, caller: Caller) =>
  Effect.gen(function* () {
    if (yield* gate.allows(caller, anyOf(["read", "manage"], Platform))) return ALL
    const inputs = yield* state.load({
      subjectIds: [caller.entityId],
      targets: [],
      credentialId: gateCredentialOf(caller),
    })
    const subject = inputs.subject(caller.entityId)
    if (subject === null || !usable(subject.record)) return { _tag: "Tenants", tenantIds: [] } satisfies AuditScope
    const now = yield* Clock.currentTimeMillis
    const ceiling = caller.scoped ? (inputs.ceiling ?? emptyGrantSet) : null
    return { _tag: "Tenants", tenantIds: auditReadTenants(subject.grants, ceiling, now) } satisfies AuditScope
  }).pipe(Effect.withSpan("Audit.scope"))

/** No readable tenant, or a requested tenant outside the readable ones → `forbidden`. */
export const requireScopeCovers = (scope: AuditScope, filter: AuditFilter): Effect.Effect<AuditScope, Forbidden> => {
  if (scope._tag === "All") return Effect.succeed(scope)
  if (scope.tenantIds.length === 0) return Effect.fail(new Forbidden({ reason: "no audit-readable tenant" }))
  if (filter.tenantId !== null && !scope.tenantIds.includes(filter.tenantId)) {
    return Effect.fail(new Forbidden({ reason: "tenant outside audit scope" }))
  }
  return Effect.succeed(scope)
}
