import { Schema } from "effect"

/** Which row a grant came from; role grants name their role in deny reasons. */
export const GrantSource = Schema.Literal(
  "direct_policy",
  "role_assignment",
  "tenant_membership",
  "access_token_ceiling",
)
export type GrantSource = typeof GrantSource.Type
