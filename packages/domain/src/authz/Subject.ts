import { Schema } from "effect"
import { EntityKind } from "./EntityKind.js"
import { EntityStatus } from "./EntityStatus.js"
import { EntityId, TenantId } from "./ids.js"
import { JsonObject } from "./JsonObject.js"

/** The live entity a decision is about (tombstoned subjects are never loaded). */
export const Subject = Schema.Struct({
  id: EntityId,
  kind: EntityKind,
  tenantId: Schema.NullOr(TenantId),
  status: EntityStatus,
  attributes: JsonObject,
})
export type Subject = typeof Subject.Type
