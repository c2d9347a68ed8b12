import { InvalidInput } from "@atom/domain/errors"
import type { DbFailure } from "@atom/repositories/db"
import { PolicySubjects } from "@atom/repositories/policy"
import { Effect } from "effect"

export const GLOBAL_GROUP_MEMBER = "global principal group cannot contain a tenant-owned entity"
export const TENANT_GROUP_MEMBER =
  "principal group member must belong to the group's tenant or be an active member of it"

/**
 * The subject boundary of a direct assignment (authz.md §3.3), applied to principal-group membership
 * (§6.17 fixed): what a group holds is bounded to the group's tenant, so a member must be owned by that
 * tenant or hold an active membership in it, and a global group (holding unbounded grants) takes only global
 * entities. Otherwise a tenant's admin could hand grants to another tenant's device, which no direct
 * assignment allows. Locks the entity row; succeeds when the entity is unknown (the caller reports that).
 */
export const requireMemberInsideGroupTenant = (
  groupTenantId: string | null,
  entityId: string,
): Effect.Effect<void, InvalidInput | DbFailure, PolicySubjects> =>
  Effect.gen(function* () {
    const entity = yield* (yield* PolicySubjects).entity(entityId, groupTenantId)
    if (entity === undefined) return
    if (groupTenantId === null) {
      if (entity.tenantId !== null) return yield* new InvalidInput({ message: GLOBAL_GROUP_MEMBER })
      return
    }
    if (entity.tenantId !== groupTenantId && !entity.activeMember) {
      return yield* new InvalidInput({ message: TENANT_GROUP_MEMBER })
    }
  }).pipe(Effect.withSpan("Groups.memberBoundary"))
