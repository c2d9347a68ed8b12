import { Schema } from "effect"
import { GroupId, ObjectId } from "./ids.js"
import { JsonObject } from "./JsonObject.js"
import { ObjectKind } from "./ObjectKind.js"
import { TenantState } from "./TenantState.js"

/**
 * The target of a check after resolution (authz.md §2.3). `subKind` is the resource kind, entity kind,
 * credential kind, or `group` / `tenant` / `platform`; the namespaced type is `<kind>:<subKind>`.
 */
export const ResolvedObject = Schema.Struct({
  kind: ObjectKind,
  subKind: Schema.String,
  /** null only for the platform object */
  id: Schema.NullOr(ObjectId),
  /** the object's tenant (a tenant object is its own tenant); null for global objects */
  tenant: Schema.NullOr(TenantState),
  /** direct container: object group of an entity/resource, parent of a group */
  parentGroupId: Schema.NullOr(GroupId),
  /** groups strictly above the direct container, nearest first */
  ancestorGroupIds: Schema.Array(GroupId),
  attributes: JsonObject,
})
export type ResolvedObject = typeof ResolvedObject.Type

/** The kinds whose lookup can fail; the reason is `<kind> not found`. */
export const MissingObjectKind = Schema.Literal("resource", "tenant", "entity", "group", "credential")
export type MissingObjectKind = typeof MissingObjectKind.Type

/** An object that could not be resolved (nonexistent, tombstoned, or an inactive entity/group). */
export const ObjectNotFound = Schema.Struct({ notFound: MissingObjectKind })
export type ObjectNotFound = typeof ObjectNotFound.Type
