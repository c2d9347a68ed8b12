import { Schema } from "effect"
import { EntityStatus } from "../authz/EntityStatus.js"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"
import { GroupType } from "./GroupType.js"

/** An object or principal group (authz.md §1); `parentId` is its single parent in the same tree. */
export const Group = Schema.Struct({
  id: GroupId,
  name: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  groupType: GroupType,
  description: Schema.NullOr(Schema.String),
  parentId: Schema.NullOr(GroupId),
  status: EntityStatus,
  attributes: JsonObject,
  deletedAt: Schema.NullOr(Schema.DateFromSelf),
  deletedBy: Schema.NullOr(EntityId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Group = typeof Group.Type
