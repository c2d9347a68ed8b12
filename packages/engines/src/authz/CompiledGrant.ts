import type { Grant, ResolvedObject } from "@atom/domain/authz"
import { type CompiledConditions, compileConditions } from "../conditions/compileConditions.js"
import { type ScopeMatcher, scopeMatcher } from "./scopeMatcher.js"

/** A grant with its matchers precomputed, so evaluating it allocates nothing. */
export interface CompiledGrant {
  readonly grant: Grant
  readonly boundary: string | null
  readonly scope: ScopeMatcher
  readonly conditions: CompiledConditions
  /** epoch milliseconds after which the grant never matches; Infinity when it does not expire */
  readonly expiresAtMs: number
}

// An unreadable expiry counts as already past: fail closed.
const expiryMillis = (expiresAt: Date | null): number => {
  if (expiresAt === null) return Number.POSITIVE_INFINITY
  const ms = expiresAt.getTime()
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms
}

export const compileGrant = (grant: Grant): CompiledGrant => ({
  grant,
  boundary: grant.tenantId,
  scope: scopeMatcher(grant),
  conditions: compileConditions(grant.conditions),
  expiresAtMs: expiryMillis(grant.expiresAt),
})

/** Boundary then scope (§2.5 steps 1–2): the part of matching that ignores action and conditions. */
export const grantCoversObject = (compiled: CompiledGrant, object: ResolvedObject): boolean =>
  (compiled.boundary === null || (object.tenant !== null && object.tenant.id === compiled.boundary)) &&
  compiled.scope(object)
