// The wire texts of the credential operations (identity-certs §2.5–2.7, api.md §3.5).

export const MAX_ACCESS_TOKEN_PERMISSIONS = 100

export const CredentialMessages = {
  accessTokenNameRequired: "access token name is required",
  tooManyPermissions: `access token supports at most ${MAX_ACCESS_TOKEN_PERMISSIONS} permissions`,
  permissionRequired: "access token requires at least one permission",
  unscopedWithPermissions: "unscoped access token must not carry permissions",
  expiresAtRfc3339: "expiresAt must be RFC3339",
  expiryInPast: "access token expiration must be in the future",
  unknownAction: (action: string) => `unknown action: ${action}`,
  actionRequired: "each permission requires at least one action",
  objectTypeNamespaced: "object_type must be the full namespaced value matching object_kind, e.g. 'entity:device'",
  tenantIdNotSupported: "tenant_id is not supported for platform or object scope modes",
  invalidPermissionScope: "invalid permission scope for access token",
  accessTokenNotFound: "access token not found",
  unscopedPermissions: "cannot set permissions on an unscoped access token",
  invalidStatusFilter: (status: string) => `invalid status filter: ${status} (expected 'active' or 'revoked')`,
  activeEntityNotFound: (id: string) => `active entity ${id} not found`,
  entityNotFound: (id: string) => `entity ${id} not found`,
  credentialNotFound: "credential not found",
  sharedKeyNotFound: "shared key not found",
  sharedKeyForHuman: "shared keys cannot be created for human entities",
  sharedKeyRevoked: "shared key revoked",
  sharedKeyExpired: "shared key expired",
} as const
