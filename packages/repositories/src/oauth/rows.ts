import { Schema } from "effect"

/** An OAuth state (`atoms_…`) as the callback reads it, before it is consumed. */
export const OAuthStateRow = Schema.Struct({
  id: Schema.String,
  provider: Schema.String,
  secretHash: Schema.String,
  pkceVerifier: Schema.String,
  nonce: Schema.String,
  returnTo: Schema.NullOr(Schema.String),
  expiresAt: Schema.DateFromSelf,
  consumedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type OAuthStateRow = typeof OAuthStateRow.Type

/** An auth exchange code (`atomx_…`) before it is consumed. */
export const ExchangeCodeRow = Schema.Struct({
  id: Schema.String,
  entityId: Schema.String,
  secretHash: Schema.String,
  expiresAt: Schema.DateFromSelf,
  consumedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type ExchangeCodeRow = typeof ExchangeCodeRow.Type

export const IdRow = Schema.Struct({ id: Schema.String })

export const EntityIdRow = Schema.Struct({ entityId: Schema.String })

/** An entity locked for sign-in: live, with its status and its home tenant's. */
export const SignInEntityRow = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  status: Schema.Literal("active", "inactive", "suspended"),
  tenantActive: Schema.Boolean,
})
export type SignInEntityRow = typeof SignInEntityRow.Type
