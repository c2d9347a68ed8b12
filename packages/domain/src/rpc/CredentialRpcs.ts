import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EntityId, ObjectId, TenantId } from "../authz/ids.js"
import { AccessToken } from "../credentials/AccessToken.js"
import { Credential } from "../credentials/Credential.js"
import { CredentialKind } from "../credentials/CredentialKind.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

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

/** An access token's metadata (never the token) with its instants as RFC 3339 strings on the wire. */
export const AccessTokenOnWire = Schema.Struct({
  ...AccessToken.fields,
  expiresAt: Schema.NullOr(Schema.Date),
  lastUsedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
})

/** `subjectId` absent = the caller's own tokens. */
export const ListAccessTokensPayload = Schema.Struct({
  subjectId: Optional(EntityId),
  status: Optional(Schema.String),
  ...PageFields,
})

export const ReplaceAccessTokenPermissionsPayload = Schema.Struct({
  credentialId: Schema.UUID,
  permissions: Schema.Array(AccessTokenPermissionPayload),
})

/** Credentials expiring within `days` (platform `manage`). */
export const ExpiringCredentialsPayload = Schema.Struct({
  days: Optional(Schema.Int),
  entityId: Optional(EntityId),
  kind: Optional(CredentialKind),
  ...PageFields,
})

/** The password travels in the payload only; in the server it stays `Redacted`. */
export const CreatePasswordPayload = Schema.Struct({ entityId: EntityId, password: Schema.Redacted(Schema.String) })

/** `key` absent = a generated key; `expiresAt` RFC 3339, checked as GraphQL checks it. */
export const CreateSharedKeyPayload = Schema.Struct({
  entityId: EntityId,
  expiresAt: Optional(Schema.String),
  description: Optional(Schema.String),
  key: Optional(Schema.Redacted(Schema.String)),
})

/** A shared key, shown at creation and on an audited reveal. */
export const SharedKeyOnWire = Schema.Struct({
  credentialId: Schema.String,
  key: Schema.String,
  expiresAt: Schema.NullOr(Schema.Date),
})

/**
 * Credentials: list an entity's and the expiring ones, passwords, access tokens (mint, list, re-scope,
 * revoke), shared keys (create, reveal), revoke (identity-certs §2.5–2.7).
 */
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
  Rpc.make("ListAccessTokens", {
    payload: ListAccessTokensPayload,
    success: PageOf(AccessTokenOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("ReplaceAccessTokenPermissions", {
    payload: ReplaceAccessTokenPermissionsPayload,
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
  Rpc.make("ExpiringCredentials", {
    payload: ExpiringCredentialsPayload,
    success: Schema.Array(CredentialOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("CreatePassword", { payload: CreatePasswordPayload, success: Schema.Boolean, error: AtomRpcError }),
  Rpc.make("CreateSharedKey", { payload: CreateSharedKeyPayload, success: SharedKeyOnWire, error: AtomRpcError }),
  Rpc.make("RevealSharedKey", {
    payload: { entityId: EntityId, credentialId: Schema.UUID },
    success: SharedKeyOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("RevokeCredential", {
    payload: { entityId: EntityId, credentialId: Schema.UUID },
    success: Schema.Boolean,
    error: AtomRpcError,
  }),
) {}
