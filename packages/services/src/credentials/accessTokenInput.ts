import {
  type AccessTokenPermission,
  AccessTokenScopeMode,
  CredentialMessages,
  MAX_ACCESS_TOKEN_PERMISSIONS,
} from "@atom/domain/credentials"
import { InvalidInput } from "@atom/domain/errors"
import { isJsonObject } from "@atom/engines/conditions"
import { Either, Schema } from "effect"

// Validation of createAccessToken / replaceAccessTokenPermissions input (identity-certs §2.5), in
// the reference's order: the request as a whole first, then (after unknown actions, which need
// the catalogue) each entry.

/** A ceiling entry as the caller sent it (ids already checked to be UUIDs by the transport). */
export interface AccessTokenPermissionInput {
  readonly actions: ReadonlyArray<string>
  readonly scopeMode: string
  readonly tenantId: string | null
  readonly objectKind: string | null
  readonly objectType: string | null
  readonly objectId: string | null
  readonly conditions: unknown
}

/** The object kinds a ceiling entry may name (the `credential_permission_limits` CHECK). */
const CEILING_OBJECT_KINDS: ReadonlySet<string> = new Set([
  "entity",
  "resource",
  "group",
  "tenant",
  "role",
  "policy",
  "credential",
  "audit_log",
  "signing_key",
])

const isScopeMode = Schema.is(AccessTokenScopeMode)

const invalid = (message: string) => Either.left(new InvalidInput({ message }))

/** The mint request's own rules: name, entry count against `scoped`, and a future expiry. */
export const validateMintRequest = (request: {
  readonly name: string
  readonly permissionCount: number
  readonly scoped: boolean
  readonly expiresAt: Date | null
  readonly now: number
}): Either.Either<string, InvalidInput> => {
  const name = request.name.trim()
  if (name === "") return invalid(CredentialMessages.accessTokenNameRequired)
  if (request.permissionCount > MAX_ACCESS_TOKEN_PERMISSIONS) return invalid(CredentialMessages.tooManyPermissions)
  if (request.scoped && request.permissionCount === 0) return invalid(CredentialMessages.permissionRequired)
  if (!request.scoped && request.permissionCount > 0) return invalid(CredentialMessages.unscopedWithPermissions)
  if (request.expiresAt !== null && request.expiresAt.getTime() <= request.now) {
    return invalid(CredentialMessages.expiryInPast)
  }
  return Either.right(name)
}

/** A replacement ceiling: 1..100 entries. */
export const validateReplacementCount = (count: number): Either.Either<void, InvalidInput> =>
  count === 0
    ? invalid(CredentialMessages.permissionRequired)
    : count > MAX_ACCESS_TOKEN_PERMISSIONS
      ? invalid(CredentialMessages.tooManyPermissions)
      : Either.void

/** The first action named by the entries that the catalogue does not know. */
export const firstUnknownAction = (
  entries: ReadonlyArray<AccessTokenPermissionInput>,
  known: ReadonlySet<string>,
): string | undefined => entries.flatMap((e) => e.actions).find((a) => !known.has(a))

const namespacedTypeMatches = (kind: string | null, type: string | null): boolean => {
  const prefix = `${kind ?? ""}:`
  const value = type ?? ""
  return value.length > prefix.length && value.startsWith(prefix)
}

/** The fields each scope mode requires and forbids (§2.5 table). */
const shapeHolds = (e: AccessTokenPermissionInput, mode: AccessTokenScopeMode): boolean => {
  switch (mode) {
    case "platform":
      return e.tenantId === null && e.objectKind === null && e.objectType === null && e.objectId === null
    case "tenant":
      return e.tenantId !== null && e.objectKind === null && e.objectType === null && e.objectId === null
    case "object_kind":
      return e.objectKind !== null && e.objectType === null && e.objectId === null
    case "object_type":
      return e.objectKind !== null && e.objectId === null
    case "object":
      return e.tenantId === null && e.objectId !== null
  }
}

/** One entry checked and normalised: distinct sorted actions, `{}` for absent conditions. */
export const validatePermissionEntry = (
  entry: AccessTokenPermissionInput,
): Either.Either<AccessTokenPermission, InvalidInput> => {
  if (entry.actions.length === 0) return invalid(CredentialMessages.actionRequired)
  if (entry.scopeMode === "object_type" && !namespacedTypeMatches(entry.objectKind, entry.objectType)) {
    return invalid(CredentialMessages.objectTypeNamespaced)
  }
  if ((entry.scopeMode === "platform" || entry.scopeMode === "object") && entry.tenantId !== null) {
    return invalid(CredentialMessages.tenantIdNotSupported)
  }
  const conditions = entry.conditions === null || entry.conditions === undefined ? {} : entry.conditions
  const mode = entry.scopeMode
  if (
    !isScopeMode(mode) ||
    !shapeHolds(entry, mode) ||
    (entry.objectKind !== null && !CEILING_OBJECT_KINDS.has(entry.objectKind)) ||
    !isJsonObject(conditions)
  ) {
    return invalid(CredentialMessages.invalidPermissionScope)
  }
  return Either.right({
    actions: [...new Set(entry.actions)].sort(),
    scopeMode: mode,
    tenantId: entry.tenantId,
    objectKind: entry.objectKind,
    objectType: entry.objectType,
    objectId: entry.objectId,
    conditions,
  })
}

/** Every entry, failing on the first invalid one. */
export const validatePermissionEntries = (
  entries: ReadonlyArray<AccessTokenPermissionInput>,
): Either.Either<Array<AccessTokenPermission>, InvalidInput> => {
  const out: Array<AccessTokenPermission> = []
  for (const entry of entries) {
    const checked = validatePermissionEntry(entry)
    if (Either.isLeft(checked)) return Either.left(checked.left)
    out.push(checked.right)
  }
  return Either.right(out)
}
