import { Schema } from "effect"
import { EntityId, TenantId } from "../authz/ids.js"
import { JsonObject } from "../authz/JsonObject.js"
import { TenantStatus } from "../authz/TenantStatus.js"

/** A tenant (identity-certs §1.4): an isolation boundary, never a subject. */
export const Tenant = Schema.Struct({
  id: TenantId,
  name: Schema.String,
  alias: Schema.NullOr(Schema.String),
  status: TenantStatus,
  tags: Schema.Array(Schema.String),
  attributes: JsonObject,
  createdBy: Schema.NullOr(EntityId),
  updatedBy: Schema.NullOr(EntityId),
  deletedAt: Schema.NullOr(Schema.DateFromSelf),
  deletedBy: Schema.NullOr(EntityId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Tenant = typeof Tenant.Type
