import { anyOf, Platform, type Requirement, Tenant } from "../authz/Gate.js"

// The admin gates of the policy area (authz.md §3.2); "S(T)" = Tenant(T), or Platform when T is null.

/** Lists of blocks, assignments, policies, actions, applicability, guardrails; action(id). */
export const policyRead = (tenantId: string | null): Array<Requirement> =>
  anyOf(["policy.manage", "read", "manage"], Tenant(tenantId))

/** roles (live), role(id). */
export const roleRead = (tenantId: string | null): Array<Requirement> =>
  anyOf(["role.manage", "read"], Tenant(tenantId))

/** Create/update/delete role, replaceRolePermissionBlocks. */
export const roleManage = (tenantId: string | null): Array<Requirement> => anyOf(["role.manage"], Tenant(tenantId))

/** Blocks, assignments, direct policies and guardrail rules of a tenant (or the platform). */
export const policyManage = (tenantId: string | null): Array<Requirement> => anyOf(["policy.manage"], Tenant(tenantId))

/** The action vocabulary is platform-wide. */
export const catalogueManage: Array<Requirement> = anyOf(["policy.manage"], Platform)

/** Restore, purge, non-live listings and hygiene. */
export const platformManage: Array<Requirement> = anyOf(["manage"], Platform)
