import { CatalogueObjectKind, ScopeMode } from "@atom/domain/authz"
import type { CreatePermissionBlockInput } from "@atom/domain/policy"
import { Either, Schema } from "effect"

const isScopeMode = Schema.is(ScopeMode)
const isCatalogueKind = Schema.is(CatalogueObjectKind)

/** Where applicability is checked: a kind, narrowed to a type or not. */
export interface ApplicabilityCheck {
  readonly objectKind: string
  readonly objectType: string | null
}

/** A block's scope once its fields fit its mode (authz.md §1 scope_mode table); targets still to resolve. */
export type BlockShape =
  | { readonly _tag: "Unchecked"; readonly scopeMode: "platform" | "tenant" }
  | { readonly _tag: "Kind"; readonly scopeMode: "object_kind" | "object_type"; readonly check: ApplicabilityCheck }
  | { readonly _tag: "Object"; readonly scopeMode: "object"; readonly objectId: string }
  | {
      readonly _tag: "Group"
      readonly scopeMode: Exclude<ScopeMode, "platform" | "tenant" | "object_kind" | "object_type" | "object">
      readonly tenantId: string
      readonly groupId: string
      readonly check: ApplicabilityCheck
    }

/**
 * A type must be namespaced as `<objectKind>:<sub>` (authz.md §6.16 fixed): the reference accepted a bare
 * type, which never matches anything (§2.6), so a block that looked like a grant silently granted nothing.
 */
const typeMismatch = (objectKind: string, objectType: string): string | null => {
  const colon = objectType.indexOf(":")
  if (colon < 0) return "objectType must be namespaced as object_kind:type"
  return objectType.slice(0, colon) === objectKind && colon < objectType.length - 1
    ? null
    : "objectType namespace must match objectKind"
}

const fail = (message: string): Either.Either<BlockShape, string> => Either.left(message)

/** Checks the fields a scope mode requires and forbids, before anything is read. */
export const blockShape = (input: CreatePermissionBlockInput): Either.Either<BlockShape, string> => {
  const { scopeMode, tenantId, objectKind, objectType, objectId, groupId } = input
  if (!isScopeMode(scopeMode)) return fail(`unsupported permission block scopeMode '${scopeMode}'`)
  if (objectKind !== null && !isCatalogueKind(objectKind)) return fail("objectKind must be a valid object kind")
  if (objectType !== null && objectType.trim() === "") return fail("objectType must not be empty")
  switch (scopeMode) {
    case "platform":
      return tenantId !== null || objectKind !== null || objectType !== null || objectId !== null || groupId !== null
        ? fail("platform permission block cannot include tenant or object fields")
        : Either.right({ _tag: "Unchecked", scopeMode })
    case "tenant":
      if (tenantId === null) return fail("tenant permission block requires tenantId")
      return objectKind !== null || objectType !== null || objectId !== null || groupId !== null
        ? fail("tenant permission block cannot include object fields")
        : Either.right({ _tag: "Unchecked", scopeMode })
    case "object_kind":
      if (objectKind === null) return fail("object_kind permission block requires objectKind")
      return objectType !== null || objectId !== null || groupId !== null
        ? fail("object_kind permission block cannot include objectType, objectId or groupId")
        : Either.right({ _tag: "Kind", scopeMode, check: { objectKind, objectType: null } })
    case "object_type": {
      if (objectKind === null || objectType === null) {
        return fail("object_type permission block requires objectKind and objectType")
      }
      if (objectId !== null || groupId !== null)
        return fail("object_type permission block cannot include objectId or groupId")
      const mismatch = typeMismatch(objectKind, objectType)
      return mismatch !== null
        ? fail(mismatch)
        : Either.right({ _tag: "Kind", scopeMode, check: { objectKind, objectType } })
    }
    case "object":
      if (objectId === null) return fail("object permission block requires objectId")
      return groupId !== null
        ? fail("object permission block cannot include groupId")
        : Either.right({ _tag: "Object", scopeMode, objectId })
    case "group":
    case "group_child_groups":
    case "group_descendant_groups":
    case "group_direct_objects":
    case "group_descendant_objects": {
      if (groupId === null) return fail("object group scope requires groupId")
      if (tenantId === null) return fail("object group scope requires tenantId")
      if (objectId !== null) return fail("object group scope cannot include objectId")
      if (scopeMode === "group_direct_objects" || scopeMode === "group_descendant_objects") {
        if (objectKind === null || objectType === null) {
          return fail("object group object permission block requires objectKind and objectType")
        }
        if (objectKind !== "entity" && objectKind !== "resource") {
          return fail("object group object permission block objectKind must be entity or resource")
        }
        const mismatch = typeMismatch(objectKind, objectType)
        if (mismatch !== null) return fail(mismatch)
        return Either.right({ _tag: "Group", scopeMode, tenantId, groupId, check: { objectKind, objectType } })
      }
      return objectKind !== null || objectType !== null
        ? fail("object group scope cannot include objectKind or objectType")
        : Either.right({
            _tag: "Group",
            scopeMode,
            tenantId,
            groupId,
            check: { objectKind: "group", objectType: null },
          })
    }
  }
}

/** An action with the rows saying where it applies. */
export interface ApplicableAction {
  readonly name: string
  readonly applicability: ReadonlyArray<{ readonly objectKind: string; readonly objectType: string | null }>
}

/**
 * The first action (by name) not applicable where the block points, as the contract's message, e.g.
 * `capability execute is not applicable to resource:channel`: a row of the kind must exist, and for a
 * typed target it must cover every type or that type.
 */
export const inapplicable = (actions: ReadonlyArray<ApplicableAction>, check: ApplicabilityCheck): string | null => {
  const bad = actions
    .filter(
      (action) =>
        !action.applicability.some(
          (row) =>
            row.objectKind === check.objectKind &&
            (check.objectType === null || row.objectType === null || row.objectType === check.objectType),
        ),
    )
    .map((action) => action.name)
    .sort()
  const first = bad[0]
  return first === undefined ? null : `capability ${first} is not applicable to ${check.objectType ?? check.objectKind}`
}
