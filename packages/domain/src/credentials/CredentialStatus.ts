import { Schema } from "effect"

/** A credential is usable while `active`; revocation is final (except tenant restore). */
export const CredentialStatus = Schema.Literal("active", "revoked")
export type CredentialStatus = typeof CredentialStatus.Type
