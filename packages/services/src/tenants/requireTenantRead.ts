import { Forbidden, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { type Context, Effect } from "effect"
import type { Pdp } from "../authz/Pdp.js"

/**
 * `tenant(id)` and `myTenantRoles` (authz.md §3.2): the PDP must allow the caller `read` or `manage` on
 * the tenant object; an active membership suffices, and a non-active tenant is denied to everyone.
 */
export const requireTenantRead = (pdp: Context.Tag.Service<Pdp>, caller: Caller, tenantId: string) =>
  Effect.gen(function* () {
    const target = { kind: "tenant", id: tenantId } as const
    const answers = yield* pdp.checkAll(
      [
        { subjectId: caller.entityId, action: "read", target },
        { subjectId: caller.entityId, action: "manage", target },
      ],
      { ceilingFor: caller },
    )
    if (answers.some((a) => a.decision.allowed)) return
    if (answers.some((a) => a.decision.code === "object_not_found")) {
      return yield* new NotFound({ message: `tenant ${tenantId} not found` })
    }
    return yield* new Forbidden({ reason: answers[0]?.decision.reason ?? "tenant read" })
  }).pipe(Effect.withSpan("Tenants.requireTenantRead"))
