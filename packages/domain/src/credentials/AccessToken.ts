import { Schema } from "effect"
import { AccessTokenPermission } from "./AccessTokenPermission.js"
import { CredentialStatus } from "./CredentialStatus.js"

/** An access token as its owner (or a delegated admin) lists it: metadata and ceiling, no secret. */
export const AccessToken = Schema.Struct({
  credentialId: Schema.String,
  /** metadata name, else the identifier, else `Access token` */
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  /** the first 13 characters of the token */
  identifier: Schema.NullOr(Schema.String),
  status: CredentialStatus,
  scoped: Schema.Boolean,
  permissions: Schema.Array(AccessTokenPermission),
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  lastUsedAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
})
export type AccessToken = typeof AccessToken.Type
