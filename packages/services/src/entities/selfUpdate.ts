import type { Entity } from "@atom/domain/entities"
import { jsonEquals } from "@atom/engines/conditions"
import type { UpdateEntityInput } from "./EntityService.js"

/**
 * The fields of a self-update that change what the entity is or may do (authz.md §6.14 fixed): kind, status,
 * tenant, profile and attributes (which conditions read). Changing any of them needs the same grant as
 * updating another entity; name and alias stay self-service. A field sent with its current value is no change.
 */
export const privilegedChanges = (current: Entity, input: UpdateEntityInput): Array<string> => {
  const changed: Array<string> = []
  if (input.kind != null && input.kind !== current.kind) changed.push("kind")
  if (input.status != null && input.status !== current.status) changed.push("status")
  if (input.tenantId != null && input.tenantId !== current.tenantId) changed.push("tenantId")
  if (input.profileId != null && input.profileId !== current.profileId) changed.push("profileId")
  if (input.profileVersionId != null && input.profileVersionId !== current.profileVersionId) {
    changed.push("profileVersionId")
  }
  if (input.attributes != null && !jsonEquals(input.attributes, current.attributes)) changed.push("attributes")
  return changed
}
