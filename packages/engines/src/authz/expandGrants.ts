import type { BindingRow, Grant, GrantExpansionInput, GroupId, MembershipRow, Subject } from "@atom/domain/authz"
import { type GroupPath, principalGroupPaths } from "./principalGroupPaths.js"

const noPath: ReadonlyArray<GroupId> = []
const unconditional = {}

const bindingGrant = (row: BindingRow, via: string, groupPath: ReadonlyArray<GroupId>): Grant => ({
  source: row.source,
  via,
  groupPath,
  bindingId: row.bindingId,
  blockId: row.blockId,
  roleId: row.source === "role_assignment" ? row.roleId : null,
  roleName: row.source === "role_assignment" ? row.roleName : null,
  tenantId: row.tenantId,
  scopeTenantId: row.blockTenantId,
  scopeMode: row.scopeMode,
  objectKind: row.objectKind,
  objectType: row.objectType,
  objectId: row.objectId,
  groupId: row.groupId,
  action: row.action,
  effect: row.effect,
  conditions: row.conditions,
  expiresAt: row.expiresAt,
})

/** The synthetic grant of §1: an active human member of an active tenant may read that tenant. */
const membershipGrant = (row: MembershipRow): Grant => ({
  source: "tenant_membership",
  via: "tenant_membership",
  groupPath: noPath,
  bindingId: null,
  blockId: null,
  roleId: null,
  roleName: null,
  tenantId: row.tenantId,
  scopeTenantId: row.tenantId,
  scopeMode: "object",
  objectKind: "tenant",
  objectType: null,
  objectId: row.tenantId,
  groupId: null,
  action: "read",
  effect: "allow",
  conditions: unconditional,
  expiresAt: null,
})

const yieldsMembershipGrant = (subject: Subject, row: MembershipRow): boolean =>
  subject.kind === "human" &&
  subject.status === "active" &&
  row.status === "active" &&
  row.tenantStatus === "active" &&
  !row.tenantDeleted

interface Ranked {
  readonly grant: Grant
  /** 0 bound to the entity itself, then the group path length; memberships last */
  readonly distance: number
}

const compareText = (a: string | null, b: string | null): number =>
  (a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0

// A fixed order makes deny reasons and explain output independent of SQL row order (authz.md §6.15).
const byExpansionOrder = (a: Ranked, b: Ranked): number =>
  a.distance - b.distance ||
  (a.grant.source === b.grant.source ? 0 : a.grant.source === "direct_policy" ? -1 : 1) ||
  compareText(a.grant.via, b.grant.via) ||
  compareText(a.grant.bindingId, b.grant.bindingId) ||
  compareText(a.grant.blockId, b.grant.blockId) ||
  compareText(a.grant.action, b.grant.action)

const MEMBERSHIP_DISTANCE = Number.MAX_SAFE_INTEGER

/**
 * Expands a subject's bindings into flat grants (authz.md §2.4): its own direct policies and role
 * assignments, those of every principal group it inherits through an active chain, and the membership
 * grant. Tombstoned roles grant nothing; rows naming another subject or an unreachable group are ignored.
 */
export const expandGrants = (input: GrantExpansionInput): Array<Grant> => {
  const subject = input.subject
  const paths: ReadonlyMap<string, ReadonlyArray<GroupPath>> = principalGroupPaths(input.principalGroups)
  const ranked: Array<Ranked> = []
  for (const row of input.bindings) {
    if (row.source === "role_assignment" && row.roleDeleted) continue
    if (row.subjectKind === "entity") {
      if (row.subjectId === subject.id) ranked.push({ grant: bindingGrant(row, "direct", noPath), distance: 0 })
      continue
    }
    for (const reach of paths.get(row.subjectId) ?? []) {
      ranked.push({ grant: bindingGrant(row, reach.via, reach.path), distance: reach.path.length })
    }
  }
  for (const row of input.memberships) {
    if (yieldsMembershipGrant(subject, row)) {
      ranked.push({ grant: membershipGrant(row), distance: MEMBERSHIP_DISTANCE })
    }
  }
  ranked.sort(byExpansionOrder)
  return ranked.map((entry) => entry.grant)
}
