import { Schema } from "effect"

/** Status of a tenant membership; only `active` yields the synthetic tenant `read`. */
export const MembershipStatus = Schema.Literal("active", "invited", "suspended", "left")
export type MembershipStatus = typeof MembershipStatus.Type
