import { MissingObjectKind, ObjectId } from "@atom/domain/authz"
import type { Caller } from "@atom/domain/identity"
import { emptyGrantSet, type GateAlternative, type GateScope, gate } from "@atom/engines/authz"
import type { ObjectRef } from "@atom/repositories/authz"
import { Schema } from "effect"
import type { DecisionInputs } from "./AuthzState.js"
import type { Requirement, ScopeRef } from "./Gate.js"

const isObjectId = Schema.is(ObjectId)
const isResolvableKind = Schema.is(MissingObjectKind)

/** The object a scope reference names, when it names one the PDP can resolve. */
const refOf = (scope: ScopeRef): ObjectRef | null => {
  switch (scope._tag) {
    case "Platform":
      return null
    case "Tenant":
      return scope.tenantId !== null && isObjectId(scope.tenantId) ? { kind: "tenant", id: scope.tenantId } : null
    case "Object":
      return isResolvableKind(scope.kind) && isObjectId(scope.id) ? { kind: scope.kind, id: scope.id } : null
  }
}

/** The objects a set of requirements needs loaded. */
export const requirementTargets = (requirements: ReadonlyArray<Requirement>): Array<ObjectRef> =>
  requirements.flatMap((r) => {
    const ref = refOf(r.scope)
    return ref === null ? [] : [ref]
  })

const isPlatform = (scope: ScopeRef): boolean =>
  scope._tag === "Platform" ||
  (scope._tag === "Tenant" && scope.tenantId === null) ||
  (scope._tag === "Object" && scope.kind === "platform")

/** A resolved scope, or null when it names nothing live: that alternative drops out (§3.1 step 2). */
const gateScope = (inputs: DecisionInputs, scope: ScopeRef): GateScope | null => {
  if (isPlatform(scope)) return { _tag: "Platform" }
  const ref = refOf(scope)
  const record = ref === null ? null : inputs.object(ref)
  if (record === null) return null
  if (scope._tag !== "Tenant") return { _tag: "Object", object: record.object }
  return record.object.tenant === null ? null : { _tag: "Tenant", tenant: record.object.tenant }
}

/** Requirements as the engine's alternatives, on loaded inputs. */
export const resolveRequirements = (
  inputs: DecisionInputs,
  requirements: ReadonlyArray<Requirement>,
): Array<GateAlternative> =>
  requirements.flatMap((r) => {
    const scope = gateScope(inputs, r.scope)
    return scope === null ? [] : [{ action: r.action, scope }]
  })

/** The credential whose ceiling a gate for this caller needs loaded. */
export const gateCredentialOf = (caller: Caller): string | null => (caller.scoped ? caller.credentialId : null)

/** Decides a gate on loaded inputs (the caller's subject and ceiling must be among them). */
export const decideGate = (
  inputs: DecisionInputs,
  caller: Caller,
  alternatives: ReadonlyArray<GateAlternative>,
  now: number,
): boolean => {
  const subject = inputs.subject(caller.entityId)
  return gate({
    subject: subject?.record.subject ?? null,
    subjectTenant: subject?.record.tenant ?? null,
    alternatives,
    grants: subject?.grants ?? emptyGrantSet,
    // a scoped token whose ceiling cannot be read permits nothing (fail closed)
    ceiling: caller.scoped ? (inputs.ceiling ?? emptyGrantSet) : null,
    now,
  }).allowed
}
