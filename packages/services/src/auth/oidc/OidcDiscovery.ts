import { Schema } from "effect"

/** The parts of an OpenID Provider's metadata (`/.well-known/openid-configuration`) that are used. */
export const OidcDiscovery = Schema.Struct({
  issuer: Schema.String,
  authorization_endpoint: Schema.String,
  token_endpoint: Schema.String,
  jwks_uri: Schema.String,
  token_endpoint_auth_methods_supported: Schema.optional(Schema.Array(Schema.String)),
})
export type OidcDiscovery = typeof OidcDiscovery.Type

export const JwksDocument = Schema.Struct({
  keys: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
})

export const TokenResponse = Schema.Struct({
  id_token: Schema.optional(Schema.String),
})
