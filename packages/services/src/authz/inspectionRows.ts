import type { Grant } from "@atom/domain/authz"
import type { PrincipalGroupSummary, RoleHolder, RoleSummary } from "@atom/repositories/authz"
import type { EffectiveAction, ObjectAccess, Paged } from "./AuthzInspection.js"

// The inspection answers as the transports' rows (GraphQL's `ResourceAccess`, `RoleHolderList` …, the
// RPC's `ObjectAccessOnWire` …): one field mapping for both; each transport passes how it encodes a grant.

/** `resourceAccess`: one row per subject and action, the subject's fields flattened. */
export const objectAccessRows = <G>(page: Paged<ObjectAccess>, encodeGrant: (grant: Grant) => G) => ({
  items: page.items.map((item) => ({
    subjectId: item.subject.subject.id,
    subjectName: item.subject.name,
    subjectKind: item.subject.subject.kind,
    subjectTenantId: item.subject.subject.tenantId,
    action: item.action,
    grant: encodeGrant(item.grant),
  })),
  total: page.total,
})

/** `roleHolders`: the role's id and name beside the page of holders. */
export const roleHolderRows = (page: Paged<RoleHolder> & { readonly role: RoleSummary }) => ({
  roleId: page.role.id,
  roleName: page.role.name,
  items: page.items,
  total: page.total,
})

/** `groupAccess`: the group's id and name beside the page of grants. */
export const groupAccessRows = <G>(
  page: Paged<Grant> & { readonly group: PrincipalGroupSummary },
  encodeGrant: (grant: Grant) => G,
) => ({
  groupId: page.group.id,
  groupName: page.group.name,
  items: page.items.map(encodeGrant),
  total: page.total,
})

/** `entityAccess`: the page of grants. */
export const grantRows = <G>(page: Paged<Grant>, encodeGrant: (grant: Grant) => G) => ({
  items: page.items.map(encodeGrant),
  total: page.total,
})

/** `effectiveActions`: each decision with its grant (none for a deny). */
export const effectiveActionRows = <G>(page: Paged<EffectiveAction>, encodeGrant: (grant: Grant) => G) => ({
  items: page.items.map((a) => ({ ...a, grant: a.grant === null ? null : encodeGrant(a.grant) })),
  total: page.total,
})
