import type { DecisionCode, Grant, ScopeMode, SkipReason } from "@atom/domain/authz"
import type { CheckAnswer } from "@atom/services/authz"

// AuthzExplainResponse's JSON blobs, snake_case as the contract's clients read them (api.md §3.6).

/** The reference's `ScopeKind` vocabulary; `group` (the object group itself) is ours (authz.md §6.1). */
const scopeKinds: Record<ScopeMode, string> = {
  platform: "platform",
  tenant: "tenant",
  object_kind: "object_kind",
  object_type: "object_type",
  object: "object",
  group: "group",
  group_direct_objects: "group_object_type",
  group_descendant_objects: "group_tree_object_type",
  group_child_groups: "group_child_kind",
  group_descendant_groups: "group_descendant_kind",
}

/** What the scope names: a tenant, kind, type, object or group id; `<group>/<type>` for typed group scopes. */
const scopeRef = (grant: Grant): string | null => {
  switch (grant.scopeMode) {
    case "platform":
      return null
    case "tenant":
      return grant.scopeTenantId
    case "object_kind":
      return grant.objectKind
    case "object_type":
      return grant.objectType
    case "object":
      return grant.objectId
    case "group_direct_objects":
    case "group_descendant_objects":
      return `${grant.groupId ?? ""}/${grant.objectType ?? grant.objectKind ?? ""}`
    default:
      return grant.groupId
  }
}

const bindingJson = (
  grant: Grant,
  result: "matched" | "skipped",
  skipReason: SkipReason | null,
  actionIds: ReadonlyMap<string, string>,
) => ({
  id: grant.bindingId,
  block_id: grant.blockId,
  effect: grant.effect,
  grant_kind: grant.roleId === null ? "capability" : "role",
  grant_id: grant.roleId ?? actionIds.get(grant.action) ?? null,
  role_name: grant.roleName,
  role_path: grant.roleName,
  scope_kind: scopeKinds[grant.scopeMode],
  scope_ref: scopeRef(grant),
  conditions: grant.conditions,
  via: grant.via,
  result,
  skip_reason: skipReason,
})

// Decisions taken before any grant is looked at report no capability and no bindings.
const preGrant: ReadonlySet<DecisionCode> = new Set([
  "subject_not_found",
  "subject_inactive",
  "object_not_found",
  "tenant_lifecycle",
  "unknown_action",
])

/** The `authzExplain` response: agrees with authzCheck, plus the grants behind the decision. */
export const explainResponse = (answer: CheckAnswer) => {
  const { decision } = answer
  const actionIds = new Map(answer.actions.map((a) => [a.name, a.id]))
  const subject = answer.subject
  const object = answer.object
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    subject:
      subject === null
        ? null
        : { id: subject.subject.id, name: subject.name, kind: subject.subject.kind, status: subject.subject.status },
    resource:
      object === null
        ? null
        : {
            id: object.object.id,
            kind: object.object.subKind,
            name: object.name,
            tenant_id: object.object.tenant?.id ?? null,
          },
    capability:
      preGrant.has(decision.code) || answer.capability === null
        ? null
        : { id: answer.capability.id, name: answer.capability.name },
    matchedBinding:
      decision.decidingGrant === null ? null : bindingJson(decision.decidingGrant, "matched", null, actionIds),
    evaluatedBindings: decision.evaluated.map((e) => bindingJson(e.grant, e.result, e.skipReason, actionIds)),
    nearestBinding:
      decision.nearestFailure === null
        ? null
        : bindingJson(decision.nearestFailure.grant, "skipped", decision.nearestFailure.skipReason, actionIds),
  }
}
