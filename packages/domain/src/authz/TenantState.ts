import { Schema } from "effect"
import { TenantId } from "./ids.js"
import { JsonObject } from "./JsonObject.js"
import { TenantStatus } from "./TenantStatus.js"

/** What a decision needs of a tenant: its lifecycle (status, tombstone) and its ABAC attributes. */
export const TenantState = Schema.Struct({
  id: TenantId,
  status: TenantStatus,
  deleted: Schema.Boolean,
  attributes: JsonObject,
})
export type TenantState = typeof TenantState.Type
