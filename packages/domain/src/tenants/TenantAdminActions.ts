import type { ActionName } from "../authz/ActionName.js"

/** The actions of the `tenant-admin` role a new tenant bootstraps (authz.md §1.12), exactly these. */
export const TenantAdminActions = [
  "manage",
  "read",
  "write",
  "delete",
  "publish",
  "subscribe",
  "execute",
  "policy.manage",
  "role.manage",
] as const satisfies ReadonlyArray<ActionName>

export const TENANT_ADMIN_ROLE = "tenant-admin"
