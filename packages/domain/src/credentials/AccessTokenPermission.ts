import { Schema } from "effect"
import { AccessTokenScopeMode } from "./AccessTokenScopeMode.js"

/** One validated ceiling entry: an allow-only scope with at least one action. */
export const AccessTokenPermission = Schema.Struct({
  /** sorted, distinct action names */
  actions: Schema.Array(Schema.String),
  scopeMode: AccessTokenScopeMode,
  tenantId: Schema.NullOr(Schema.String),
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  objectId: Schema.NullOr(Schema.String),
  /** a JSON object; `{}` is unconditional */
  conditions: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
})
export type AccessTokenPermission = typeof AccessTokenPermission.Type
