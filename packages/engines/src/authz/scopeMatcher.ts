import type { Grant, ResolvedObject } from "@atom/domain/authz"
import { splitType } from "./namespacedType.js"

/** Whether a grant's scope covers an object, boundary aside (authz.md §2.6 with §6.1 fixed). */
export type ScopeMatcher = (object: ResolvedObject) => boolean

const nothing: ScopeMatcher = () => false
const everything: ScopeMatcher = () => true

const isContainable = (object: ResolvedObject): boolean => object.kind === "entity" || object.kind === "resource"

// Kind/type filter of group-object scopes: both must hold when set; a bare type is inert as in object_type.
const kindTypeFilter = (grant: Grant): ScopeMatcher | undefined => {
  const kind = grant.objectKind
  if (grant.objectType === null) {
    return kind === null ? isContainable : (object) => isContainable(object) && object.kind === kind
  }
  const split = splitType(grant.objectType)
  if (split === undefined || (kind !== null && kind !== split.kind)) return undefined
  return (object) => object.kind === split.kind && object.subKind === split.subKind && isContainable(object)
}

/** Builds the scope test once per grant so a check only runs comparisons. */
export const scopeMatcher = (grant: Grant): ScopeMatcher => {
  switch (grant.scopeMode) {
    case "platform":
      return everything
    case "tenant": {
      const tenantId = grant.scopeTenantId
      if (tenantId === null) return nothing
      return (object) => object.tenant !== null && object.tenant.id === tenantId
    }
    case "object_kind": {
      const kind = grant.objectKind
      if (kind === null) return nothing
      return (object) => object.kind === kind
    }
    case "object_type": {
      const split = grant.objectType === null ? undefined : splitType(grant.objectType)
      if (split === undefined) return nothing
      return (object) => object.kind === split.kind && object.subKind === split.subKind
    }
    case "object": {
      const id = grant.objectId
      if (id === null) return nothing
      return (object) => object.id === id
    }
    case "group": {
      const groupId = grant.groupId
      if (groupId === null) return nothing
      return (object) => object.kind === "group" && object.id === groupId
    }
    case "group_direct_objects": {
      const groupId = grant.groupId
      const filter = kindTypeFilter(grant)
      if (groupId === null || filter === undefined) return nothing
      return (object) => object.parentGroupId === groupId && filter(object)
    }
    case "group_descendant_objects": {
      const groupId = grant.groupId
      const filter = kindTypeFilter(grant)
      if (groupId === null || filter === undefined) return nothing
      return (object) => filter(object) && object.ancestorGroupIds.includes(groupId)
    }
    case "group_child_groups": {
      const groupId = grant.groupId
      if (groupId === null) return nothing
      return (object) => object.kind === "group" && object.parentGroupId === groupId
    }
    case "group_descendant_groups": {
      const groupId = grant.groupId
      if (groupId === null) return nothing
      return (object) =>
        object.kind === "group" && (object.parentGroupId === groupId || object.ancestorGroupIds.includes(groupId))
    }
  }
}
