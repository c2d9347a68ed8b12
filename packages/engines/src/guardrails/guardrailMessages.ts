import type { GuardrailAssignment } from "./GuardrailAssignment.js"

/** `<kind>` or `<kind>:<sub>`; a namespaced type is not prefixed twice (authz.md §6.4 fixed). */
export const objectLabel = (assignment: Pick<GuardrailAssignment, "objectKind" | "objectType">): string => {
  const { objectKind, objectType } = assignment
  if (objectType === null) return objectKind
  return objectType.startsWith(`${objectKind}:`) ? objectType : `${objectKind}:${objectType}`
}

export const guardrailRejected = (assignment: GuardrailAssignment): string =>
  `guardrail rejected ${assignment.entityKind} receiving ${assignment.action} on ${objectLabel(assignment)}`

export const guardrailRequiresOverride = (assignment: GuardrailAssignment): string =>
  `guardrail requires override for ${assignment.entityKind} receiving ${assignment.action}`
