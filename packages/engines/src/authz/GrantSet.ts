import type { Grant } from "@atom/domain/authz"
import { type CompiledGrant, compileGrant } from "./CompiledGrant.js"

/** One action's grants, denies apart so a check can stop at the first applicable deny. */
export interface ActionGrants {
  readonly denies: ReadonlyArray<CompiledGrant>
  readonly allows: ReadonlyArray<CompiledGrant>
}

/** A subject's compiled grants: what a PDP cache keeps per subject. */
export interface GrantSet {
  /** every grant, in expansion order (explain reports them in this order) */
  readonly all: ReadonlyArray<CompiledGrant>
  readonly byAction: ReadonlyMap<string, ActionGrants>
  /** epoch ms of the earliest grant expiry, after which a cached set must be reloaded; null when none expires */
  readonly earliestExpiry: number | null
}

export const compileGrants = (grants: Iterable<Grant>): GrantSet => {
  const all: Array<CompiledGrant> = []
  const byAction = new Map<string, { denies: Array<CompiledGrant>; allows: Array<CompiledGrant> }>()
  let earliest = Number.POSITIVE_INFINITY
  for (const grant of grants) {
    const compiled = compileGrant(grant)
    all.push(compiled)
    let bucket = byAction.get(grant.action)
    if (bucket === undefined) {
      bucket = { denies: [], allows: [] }
      byAction.set(grant.action, bucket)
    }
    if (grant.effect === "deny") bucket.denies.push(compiled)
    else bucket.allows.push(compiled)
    if (compiled.expiresAtMs < earliest) earliest = compiled.expiresAtMs
  }
  return { all, byAction, earliestExpiry: earliest === Number.POSITIVE_INFINITY ? null : earliest }
}

export const emptyGrantSet: GrantSet = { all: [], byAction: new Map(), earliestExpiry: null }
