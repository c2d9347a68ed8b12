import type { ActionApplicability, ResolvedObject, Subject } from "@atom/domain/authz"
import type { CompiledGrant } from "./CompiledGrant.js"
import { evaluate } from "./evaluate.js"
import type { GrantSet } from "./GrantSet.js"
import { isActionApplicable } from "./isActionApplicable.js"

export interface ListingInput {
  readonly subject: Subject | null
  readonly action: string
  readonly applicability: ReadonlyArray<ActionApplicability>
  readonly grants: GrantSet
  /** a scoped token's ceiling on a self-listing */
  readonly ceiling?: GrantSet | null
  /** epoch milliseconds */
  readonly now: number
}

/**
 * Whether a listing shows the object (authz.md §4): the gate-mode evaluation, so an unconditional allow
 * is needed and any covering deny hides it; the tenant lifecycle and applicability still apply.
 */
export const isListable = (input: ListingInput, object: ResolvedObject): boolean =>
  evaluate({
    subject: input.subject,
    object,
    action: input.action,
    actionApplicable: isActionApplicable(input.applicability, input.action, object),
    grants: input.grants,
    ceiling: input.ceiling ?? null,
    mode: "gate",
    now: input.now,
  }).allowed

/** The ids of the candidate objects a listing may show, in the candidates' order. */
export const authorizedObjectIds = (input: ListingInput, candidates: Iterable<ResolvedObject>): Array<string> => {
  const ids: Array<string> = []
  for (const object of candidates) if (object.id !== null && isListable(input, object)) ids.push(object.id)
  return ids
}

/** The grants a listing of one action can use, for pushing scopes into SQL before exact filtering. */
export interface ListingGrants {
  /** unconditional allows: only these can make an object listable */
  readonly allows: ReadonlyArray<CompiledGrant>
  /** every deny, conditional or not: each hides what it covers */
  readonly denies: ReadonlyArray<CompiledGrant>
}

export const listingGrants = (grants: GrantSet, action: string, now: number): ListingGrants => {
  const bucket = grants.byAction.get(action)
  if (bucket === undefined) return { allows: [], denies: [] }
  return {
    allows: bucket.allows.filter((g) => g.conditions.constant === true && now < g.expiresAtMs),
    denies: bucket.denies.filter((g) => now < g.expiresAtMs),
  }
}
