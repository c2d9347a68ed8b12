import { Schema } from "effect"
import { Grant } from "./Grant.js"
import { GrantEvaluation } from "./GrantEvaluation.js"
import { TenantId } from "./ids.js"
import { TenantStatus } from "./TenantStatus.js"

/** Machine-readable outcome; `reason` carries the wire string of api.md §3.7. */
export const DecisionCode = Schema.Literal(
  "allowed",
  "subject_not_found",
  "subject_inactive",
  "object_not_found",
  "tenant_lifecycle",
  "unknown_action",
  "explicit_deny",
  "no_allow",
  "ceiling",
)
export type DecisionCode = typeof DecisionCode.Type

/** The only decision details on the wire: a lifecycle denial names the tenant and its state. */
export const LifecycleDetails = Schema.Struct({ tenant_id: TenantId, tenant_status: TenantStatus })
export type LifecycleDetails = typeof LifecycleDetails.Type

export const Decision = Schema.Struct({
  allowed: Schema.Boolean,
  code: DecisionCode,
  reason: Schema.String,
  details: Schema.NullOr(LifecycleDetails),
  /** the matching deny, or the first matching allow when allowed */
  decidingGrant: Schema.NullOr(Grant),
  /** explain only: for `no_allow` / `ceiling`, the allow that got furthest before failing */
  nearestFailure: Schema.NullOr(GrantEvaluation),
  /** explain only: every grant's outcome in expansion order, then ceiling entries when consulted */
  evaluated: Schema.Array(GrantEvaluation),
})
export type Decision = typeof Decision.Type
