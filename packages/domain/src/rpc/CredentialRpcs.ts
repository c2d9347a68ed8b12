import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, ObjectId, TenantId } from "../authz/ids.js"
import { Credential } from "../credentials/Credential.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional } from "./Paging.js"

/** `Credential` with its instants as RFC 3339 strings on the wire; never a secret. */
export const CredentialOnWire = Schema.Struct({
  ...Credential.fields,
  expiresAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
})

/** One ceiling entry of a scoped access token (identity-certs §2.6). */
export const AccessTokenPermissionPayload = Schema.Struct({
  actions: Schema.Array(Schema.String),
  scopeMode: Schema.String,
  tenantId: Optional(TenantId),
  objectKind: Optional(Schema.String),
  objectType: Optional(Schema.String),
  objectId: Optional(ObjectId),
  conditions: Schema.optional(Schema.Unknown),
})

export const CreateAccessTokenPayload = Schema.Struct({
  name: Schema.String,
  description: Optional(Schema.String),
  /** RFC 3339, checked as GraphQL checks it */
  expiresAt: Optional(Schema.String),
  permissions: Schema.Array(AccessTokenPermissionPayload),
  /** the owner; absent = the caller */
  subjectId: Optional(EntityId),
  /** default true */
  scoped: Optional(Schema.Boolean),
})

/** The minted token: shown here once and never again. */
export const IssuedAccessTokenOnWire = Schema.Struct({
  credentialId: Schema.String,
  token: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  expiresAt: Schema.NullOr(Schema.Date),
})

/** Credentials: list an entity's, mint an access token, revoke (identity-certs §2.5–2.7). */
export class CredentialRpcs extends RpcGroup.make(
  Rpc.make("ListCredentials", {
    payload: { entityId: EntityId },
    success: Schema.Array(CredentialOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("CreateAccessToken", {
    payload: CreateAccessTokenPayload,
    success: IssuedAccessTokenOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RevokeAccessToken", {
    payload: { credentialId: Schema.UUID },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
  Rpc.make("RevokeCredential", {
    payload: { entityId: EntityId, credentialId: Schema.UUID },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
) {}
