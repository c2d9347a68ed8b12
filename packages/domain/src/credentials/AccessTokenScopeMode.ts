import { Schema } from "effect"

/** The scope modes a ceiling entry of a scoped access token may use (identity-certs §2.5). */
export const AccessTokenScopeMode = Schema.Literal("platform", "tenant", "object_kind", "object_type", "object")
export type AccessTokenScopeMode = typeof AccessTokenScopeMode.Type
