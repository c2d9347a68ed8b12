import type { ObjectKind } from "@atom/domain/authz"
import { anyOf, ObjectScope, Platform, type Requirement, Tenant } from "../authz/Gate.js"

// A platform grant satisfies every tenant and object gate (api.md §3.5); naming Platform explicitly
// keeps that true when the tenant or object does not resolve (e.g. an inactive tenant or entity),
// so platform admins reach the validation and its precise message.

/** `actions` at S(tenantId): the tenant, or the platform for global objects. */
export const atTenant = (actions: ReadonlyArray<string>, tenantId: string | null): Array<Requirement> => [
  ...anyOf(actions, Tenant(tenantId)),
  ...anyOf(actions, Platform),
]

/** `actions` on one object. */
export const onObject = (actions: ReadonlyArray<string>, kind: ObjectKind, id: string): Array<Requirement> =>
  anyOf(actions, ObjectScope(kind, id))

export const PLATFORM_MANAGE: Array<Requirement> = anyOf(["manage"], Platform)

/** "read access" (api.md §3.5): read or manage on the object or at its tenant scope. */
export const readAccess = (kind: ObjectKind, id: string, tenantId: string | null): Array<Requirement> => [
  ...onObject(["read", "manage"], kind, id),
  ...atTenant(["read", "manage"], tenantId),
]
