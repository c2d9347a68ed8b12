import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Group } from "@atom/domain/groups"
import type { Groups } from "@atom/repositories/groups"
import { Effect } from "effect"

/** A live object group, the only kind that contains entities and resources. */
export const liveObjectGroup = (groups: Groups, groupId: string) =>
  Effect.gen(function* () {
    const group = yield* groups.byId(groupId)
    if (group === undefined || group.deletedAt !== null) {
      return yield* new NotFound({ message: `group ${groupId} not found` })
    }
    if (group.groupType !== "object") {
      return yield* new InvalidInput({ message: `group ${groupId} is not an object group` })
    }
    return group
  })

/**
 * Containment rules (authz.md §1): only tenant objects can be contained, and only by a group of
 * their own tenant. Returns the tenant the containment row belongs to.
 */
export const placementTenant = (
  group: Group,
  objectTenantId: string | null,
  objectLabel: "entity" | "resource",
): Effect.Effect<string, InvalidInput> => {
  if (objectTenantId === null) {
    return Effect.fail(new InvalidInput({ message: `platform ${objectLabel} cannot be placed in a group` }))
  }
  if (group.tenantId !== objectTenantId) {
    return Effect.fail(new InvalidInput({ message: `object group must be in the ${objectLabel}'s tenant` }))
  }
  return Effect.succeed(objectTenantId)
}
