import type { TenantState } from "@atom/domain/authz"
import type { Caller } from "@atom/domain/identity"
import { type CompiledGrant, emptyGrantSet, gate, listingGrants, tenantObject } from "@atom/engines/authz"
import type { TenantReach } from "@atom/repositories/tenants"
import { Clock, type Context, Effect } from "effect"
import type { AuthzState } from "../authz/AuthzState.js"
import { gateCredentialOf } from "../authz/decideGate.js"

/** Which tenants a caller without platform read may list, first roughly (SQL), then exactly. */
export interface TenantListing {
  readonly reach: TenantReach
  readonly allows: (tenant: TenantState) => boolean
}

const LISTING_ACTIONS = ["read", "manage"] as const

/** The tenants one unconditional allow could cover: its boundary, its scope tenant, its object, or any. */
const reachOf = (compiled: CompiledGrant): { readonly any: boolean; readonly id: string | null } => {
  const g = compiled.grant
  if (g.tenantId !== null) return { any: false, id: g.tenantId }
  switch (g.scopeMode) {
    case "platform":
      return { any: true, id: null }
    case "tenant":
      return { any: false, id: g.scopeTenantId }
    case "object":
      return { any: false, id: g.objectId }
    case "object_kind":
    case "object_type":
      return { any: g.objectKind === "tenant", id: null }
    default:
      // group modes never cover a tenant object
      return { any: false, id: null }
  }
}

/**
 * The `tenants` listing for callers without platform read (identity-certs §1.4): active, live tenants on
 * which an unconditional read or manage is not denied for that same action, through any scope or
 * membership, within a scoped token's ceiling. Decided by the gate engine, fail-closed.
 */
export const tenantListing = (state: Context.Tag.Service<AuthzState>, caller: Caller) =>
  Effect.gen(function* () {
    const inputs = yield* state.load({
      subjectIds: [caller.entityId],
      targets: [],
      credentialId: gateCredentialOf(caller),
    })
    const now = yield* Clock.currentTimeMillis
    const subject = inputs.subject(caller.entityId)
    const grants = subject?.grants ?? emptyGrantSet
    const ids = new Set<string>()
    let anyTenant = false
    for (const action of LISTING_ACTIONS) {
      for (const allow of listingGrants(grants, action, now).allows) {
        const reach = reachOf(allow)
        anyTenant ||= reach.any
        if (reach.id !== null) ids.add(reach.id)
      }
    }
    const ceiling = caller.scoped ? (inputs.ceiling ?? emptyGrantSet) : null
    const allows = (tenant: TenantState): boolean => {
      const object = tenantObject(tenant)
      return gate({
        subject: subject?.record.subject ?? null,
        subjectTenant: subject?.record.tenant ?? null,
        alternatives: LISTING_ACTIONS.map((action) => ({ action, scope: { _tag: "Object", object } as const })),
        grants,
        ceiling,
        now,
      }).allowed
    }
    return { reach: { anyTenant, tenantIds: [...ids] }, allows } satisfies TenantListing
  }).pipe(Effect.withSpan("Tenants.listing"))
