import { Schema } from "effect"
import { CredentialKind } from "./CredentialKind.js"
import { CredentialStatus } from "./CredentialStatus.js"

/** A credential as listed (`credentials`, `expiringCredentials`): never a secret or a verifier. */
export const Credential = Schema.Struct({
  id: Schema.String,
  entityId: Schema.String,
  kind: CredentialKind,
  identifier: Schema.NullOr(Schema.String),
  status: CredentialStatus,
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
})
export type Credential = typeof Credential.Type
