import { Schema } from "effect"
import { EntityKind } from "../authz/EntityKind.js"
import { EntityStatus } from "../authz/EntityStatus.js"
import { EntityId, GroupId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"

/** An entity as tenant member listings return it (the contract's `Entity`). */
export const TenantMember = Schema.Struct({
  id: EntityId,
  kind: EntityKind,
  profileId: Schema.NullOr(Schema.UUID),
  profileVersionId: Schema.NullOr(Schema.UUID),
  name: Schema.String,
  alias: Schema.NullOr(Schema.String),
  tenantId: Schema.NullOr(TenantId),
  parentGroupId: Schema.NullOr(GroupId),
  status: EntityStatus,
  attributes: JsonObject,
  deletedAt: Schema.NullOr(Schema.DateFromSelf),
  deletedBy: Schema.NullOr(EntityId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type TenantMember = typeof TenantMember.Type
