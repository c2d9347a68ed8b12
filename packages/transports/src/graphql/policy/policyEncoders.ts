import type {
  Action,
  ActionApplicabilityEntry,
  ActionAssignmentRule,
  DirectPolicyView,
  OrphanPolicy,
  PermissionBlockView,
  RoleAssignmentView,
  RoleView,
} from "@atom/domain/policy"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

// Domain values as the contract's GraphQL objects (timestamps RFC 3339 with +00:00).

export const encodeAction = (a: Action) => ({
  id: a.id,
  name: a.name,
  description: a.description,
  applicability: a.applicability.map((t) => ({ objectKind: t.objectKind, objectType: t.objectType })),
  createdAt: graphqlTime(a.createdAt),
  updatedAt: graphqlTime(a.updatedAt),
})

export const encodeApplicabilityEntry = (e: ActionApplicabilityEntry) => ({ ...e, createdAt: graphqlTime(e.createdAt) })

export const encodeRule = (r: ActionAssignmentRule) => ({ ...r, createdAt: graphqlTime(r.createdAt) })

export const encodeBlock = (b: PermissionBlockView) => ({
  id: b.id,
  tenantId: b.tenantId,
  scopeMode: b.scopeMode,
  objectKind: b.objectKind,
  objectType: b.objectType,
  objectId: b.objectId,
  groupId: b.groupId,
  effect: b.effect,
  conditions: b.conditions,
  actions: b.actions.map(encodeAction),
  createdAt: graphqlTime(b.createdAt),
  updatedAt: graphqlTime(b.updatedAt),
})

export const encodeRole = (r: RoleView) => ({
  id: r.id,
  name: r.name,
  tenantId: r.tenantId,
  description: r.description,
  derivedKind: r.derivedKind,
  permissionBlocks: r.permissionBlocks.map(encodeBlock),
  deletedAt: graphqlTimeOrNull(r.deletedAt),
  deletedBy: r.deletedBy,
  createdAt: graphqlTime(r.createdAt),
  updatedAt: graphqlTime(r.updatedAt),
})

export const encodeAssignment = (a: RoleAssignmentView) => ({
  id: a.id,
  tenantId: a.tenantId,
  subjectKind: a.subjectKind,
  subjectId: a.subjectId,
  roleId: a.roleId,
  role: encodeRole(a.role),
  createdAt: graphqlTime(a.createdAt),
})

export const encodeDirectPolicy = (p: DirectPolicyView) => ({
  id: p.id,
  tenantId: p.tenantId,
  subjectKind: p.subjectKind,
  subjectId: p.subjectId,
  permissionBlockId: p.permissionBlockId,
  permissionBlock: encodeBlock(p.permissionBlock),
  createdAt: graphqlTime(p.createdAt),
})

export const encodeOrphan = (o: OrphanPolicy) => ({ ...o, createdAt: graphqlTime(o.createdAt) })

/** `{ items, total }` with each item encoded. */
export const encodeList = <A, B>(
  list: { readonly items: ReadonlyArray<A>; readonly total: number },
  encode: (a: A) => B,
) => ({
  items: list.items.map(encode),
  total: list.total,
})
