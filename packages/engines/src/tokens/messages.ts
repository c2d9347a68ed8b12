// The authentication failure texts of api.md §6.4, exactly as they go on the wire (401 REST body,
// GraphQL error message, gRPC UNAUTHENTICATED detail). `invalid token: <detail>` takes the
// detail produced by jwt.ts.

export const AuthMessages = {
  missingAuthentication: "missing authentication",
  invalidAuthorizationHeader: "invalid Authorization header",
  authorizationMustUseBearer: "Authorization header must use Bearer",
  tokenMissingKid: "token missing kid claim",
  unknownOrRetiredKey: "token signed with unknown or retired key",
  invalidEntityIdInToken: "invalid entity id in token",
  invalidSessionIdInToken: "invalid session id in token",
  invalidTenantIdInToken: "invalid tenant id in token",
  sessionNotFound: "session not found",
  sessionRevoked: "session revoked",
  sessionExpired: "session expired",
  corruptSession: "corrupt session",
  corruptEntity: "corrupt entity",
  entityNotActive: "entity is not active",
  tokenTenantMismatch: "token tenant does not match entity",
  tenantNotActive: "tenant is not active",
  malformedApiKey: "malformed api key",
  apiKeyNotFound: "api key not found",
  invalidApiKey: "invalid api key",
  invalidCredential: "invalid credential",
  apiKeyRevoked: "api key revoked",
  apiKeyExpired: "api key expired",
  // gRPC only
  missingAuthorizationMetadata: "missing authorization metadata",
  invalidAuthorizationMetadata: "invalid authorization metadata",
  expectedBearerToken: "expected Bearer token",
  // custom endpoints
  missingAuthorizationHeader: "missing Authorization header",
} as const

/** `invalid token: <detail>`. */
export const invalidTokenMessage = (detail: string): string => `invalid token: ${detail}`
