import { Schema } from "effect"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"

/** A non-subject object (authz.md §1): `kind` is its free sub-kind, namespaced `resource:<kind>`. */
export const Resource = Schema.Struct({
  id: Schema.UUID,
  kind: Schema.String,
  name: Schema.NullOr(Schema.String),
  alias: Schema.NullOr(Schema.String),
  tenantId: Schema.NullOr(TenantId),
  /** informational; no authorization effect */
  ownerId: Schema.NullOr(EntityId),
  parentGroupId: Schema.NullOr(GroupId),
  attributes: JsonObject,
  deletedAt: Schema.NullOr(Schema.DateFromSelf),
  deletedBy: Schema.NullOr(EntityId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Resource = typeof Resource.Type
