import type { EntityKind } from "@atom/domain/authz"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { SubjectKind } from "@atom/domain/policy"
import type { DbFailure } from "@atom/repositories/db"
import { PolicySubjects } from "@atom/repositories/policy"
import { Effect } from "effect"

export const UNKNOWN_SUBJECT = "assignment references a deleted, disabled, or unknown subject"

/** A live, active subject, locked, with what the boundary rules need. */
export type LockedSubject =
  | {
      readonly kind: "entity"
      readonly entityKind: EntityKind
      readonly tenantId: string | null
      readonly activeMember: boolean
    }
  | { readonly kind: "group"; readonly tenantId: string | null }

/**
 * Locks the subject of an assignment or direct policy and the tenants involved (authz.md §3.3): the subject
 * must be live and `active`, the boundary tenant and the subject's own tenant active and live.
 */
export const lockSubject = (
  boundary: string | null,
  subjectKind: SubjectKind,
  subjectId: string,
): Effect.Effect<LockedSubject, InvalidInput | NotFound | DbFailure, PolicySubjects> =>
  Effect.gen(function* () {
    const subjects = yield* PolicySubjects
    const subject: LockedSubject | undefined =
      subjectKind === "entity"
        ? yield* Effect.map(subjects.entity(subjectId, boundary), (e) =>
            e === undefined || e.deleted || e.status !== "active"
              ? undefined
              : { kind: "entity" as const, entityKind: e.kind, tenantId: e.tenantId, activeMember: e.activeMember },
          )
        : yield* Effect.map(subjects.principalGroup(subjectId), (g) =>
            g === undefined || g.deleted || g.status !== "active"
              ? undefined
              : { kind: "group" as const, tenantId: g.tenantId },
          )
    if (subject === undefined) return yield* new InvalidInput({ message: UNKNOWN_SUBJECT })
    const tenants = [...new Set([boundary, subject.tenantId].filter((t): t is string => t !== null))]
    const active = yield* subjects.lockActiveTenants(tenants)
    const inactive = tenants.find((t) => !active.includes(t))
    if (inactive !== undefined) return yield* new NotFound({ message: `active tenant ${inactive} not found` })
    return subject
  })

/**
 * The boundary rules (authz.md §3.3): a tenant-bound grant reaches an entity owned by that tenant or
 * actively a member of it; an unbounded one only global entities; a principal group only under exactly
 * its own tenant.
 */
export const boundaryViolation = (boundary: string | null, subject: LockedSubject): string | null => {
  if (subject.kind === "group") {
    return subject.tenantId === boundary ? null : "assignment subject principal group must be in the same tenant"
  }
  if (boundary === null) {
    return subject.tenantId === null ? null : "platform assignment cannot target tenant-owned entity"
  }
  return subject.tenantId === boundary || subject.activeMember
    ? null
    : "tenant assignment subject entity must belong to the tenant"
}

/** Locks the tenant of a tenant-bound write; NotFound when it is not active and live. */
export const lockActiveTenant = (tenantId: string | null): Effect.Effect<void, NotFound | DbFailure, PolicySubjects> =>
  tenantId === null
    ? Effect.void
    : Effect.flatMap(PolicySubjects, (s) => s.lockActiveTenants([tenantId])).pipe(
        Effect.flatMap((found) =>
          found.includes(tenantId)
            ? Effect.void
            : Effect.fail(new NotFound({ message: `active tenant ${tenantId} not found` })),
        ),
      )
