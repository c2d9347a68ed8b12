import { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { DeletedFilter, Page, Paging } from "@atom/domain/tenants"
import { emptyGrantSet, isListable, listingGrants } from "@atom/engines/authz"
import type { ListingReach, ObjectRecord, ObjectRef } from "@atom/repositories/authz"
import { Clock, Effect } from "effect"
import { AuthzState } from "../authz/AuthzState.js"
import { decideCheck } from "../authz/decideCheck.js"
import { decideGate, gateCredentialOf, requirementTargets, resolveRequirements } from "../authz/decideGate.js"
import { anyOf, Gate, Platform } from "../authz/Gate.js"
import { listingReach } from "../authz/listingReach.js"
import { PLATFORM_MANAGE, readAccess } from "./adminScopes.js"

const READ_ACTIONS = ["read", "manage"] as const

/** How one area's listing reads its rows: everything (platform readers), or candidates then a page by id. */
export interface ListingSource<A, E> {
  readonly page: (paging: Paging) => Effect.Effect<ReadonlyArray<A>, E>
  readonly count: Effect.Effect<number, E>
  /** live candidates within the caller's reach, newest first */
  readonly candidates: (reach: ListingReach) => Effect.Effect<ReadonlyArray<ObjectRecord>, E>
  /** rows in the order of the ids */
  readonly byIds: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<A>, E>
}

/**
 * Who may read what (authz.md §3.2, §4): single reads ask the PDP for read or manage on the object and
 * fall back to "read access" at the object or its tenant (so disabled objects, unknown to the PDP, stay
 * readable by their admins); listings show everything to platform readers and otherwise the objects the
 * caller could list through an unconditional, undenied read or manage (listing mode of the one engine).
 */
export class ReadAccess extends Effect.Service<ReadAccess>()("atom/ReadAccess", {
  effect: Effect.gen(function* () {
    const state = yield* AuthzState
    const gate = yield* Gate

    const canRead = (caller: Caller, ref: ObjectRef, tenantId: string | null) =>
      Effect.gen(function* () {
        const requirements = readAccess(ref.kind, ref.id, tenantId)
        const inputs = yield* state.load({
          subjectIds: [caller.entityId],
          targets: [ref, ...requirementTargets(requirements)],
          credentialId: gateCredentialOf(caller),
        })
        const now = yield* Clock.currentTimeMillis
        const pdp = READ_ACTIONS.some(
          (action) =>
            decideCheck(inputs, { subjectId: caller.entityId, action, target: ref }, { ceilingFor: caller }, now)
              .decision.allowed,
        )
        return pdp || decideGate(inputs, caller, resolveRequirements(inputs, requirements), now)
      }).pipe(Effect.withSpan("ReadAccess.canRead", { attributes: { kind: ref.kind } }))

    const requireRead = (caller: Caller, ref: ObjectRef, tenantId: string | null) =>
      Effect.flatMap(canRead(caller, ref, tenantId), (ok) =>
        ok ? Effect.void : Effect.fail(new Forbidden({ reason: "read" })),
      )

    /** The candidates the caller may list, in the candidates' order. */
    const listable = <E>(
      caller: Caller,
      candidates: (reach: ListingReach) => Effect.Effect<ReadonlyArray<ObjectRecord>, E>,
    ) =>
      Effect.gen(function* () {
        const inputs = yield* state.load({
          subjectIds: [caller.entityId],
          targets: [],
          credentialId: gateCredentialOf(caller),
        })
        const now = yield* Clock.currentTimeMillis
        const subject = inputs.subject(caller.entityId)
        if (subject === null) return []
        const home = subject.record.tenant
        // as for gates, a caller whose own tenant is not active and live can do nothing
        if (subject.record.subject.tenantId !== null && (home === null || home.deleted || home.status !== "active")) {
          return []
        }
        const allows = READ_ACTIONS.flatMap((action) => listingGrants(subject.grants, action, now).allows)
        if (allows.length === 0) return []
        const found = yield* candidates(listingReach(allows))
        const base = {
          subject: subject.record.subject,
          applicability: inputs.catalogue.applicability,
          grants: subject.grants,
          ceiling: caller.scoped ? (inputs.ceiling ?? emptyGrantSet) : null,
          now,
        }
        return found.filter((c) => READ_ACTIONS.some((action) => isListable({ ...base, action }, c.object)))
      }).pipe(Effect.withSpan("ReadAccess.listable"))

    /** Platform read or manage: listings are not filtered. */
    const seesEverything = (caller: Caller) => gate.allows(caller, anyOf(READ_ACTIONS, Platform))

    /** A read-filtered listing (api.md §3.4–3.5); anything but live rows needs platform manage. */
    const list = <A, E>(caller: Caller, deleted: DeletedFilter, paging: Paging, source: ListingSource<A, E>) =>
      Effect.gen(function* () {
        if (deleted !== "live") yield* gate.require(caller, PLATFORM_MANAGE)
        if (deleted !== "live" || (yield* seesEverything(caller))) {
          const [items, total] = yield* Effect.all([source.page(paging), source.count])
          return { items, total } satisfies Page<A>
        }
        const visible = yield* listable(caller, source.candidates)
        const ids = visible.flatMap((c) => (c.object.id === null ? [] : [c.object.id]))
        const items = yield* source.byIds(ids.slice(paging.offset, paging.offset + paging.limit))
        return { items, total: ids.length } satisfies Page<A>
      }).pipe(Effect.withSpan("ReadAccess.list"))

    return { canRead, requireRead, listable, seesEverything, list } as const
  }),
}) {}
