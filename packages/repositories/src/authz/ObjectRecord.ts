import {
  GroupId,
  JsonObject,
  MissingObjectKind,
  ObjectId,
  ResolvedObject,
  TenantId,
  TenantState,
} from "@atom/domain/authz"
import { Schema } from "effect"

/** A check target by reference: a kind the PDP can resolve and an id. */
export const ObjectRef = Schema.Struct({ kind: MissingObjectKind, id: ObjectId })
export type ObjectRef = typeof ObjectRef.Type

/** A resolved object with what explain shows of it. */
export const ObjectRecord = Schema.Struct({
  object: ResolvedObject,
  /** entity/resource/group/tenant name, credential identifier */
  name: Schema.NullOr(Schema.String),
  /** `object` or `principal` for groups, null otherwise */
  groupType: Schema.NullOr(Schema.Literal("object", "principal")),
})
export type ObjectRecord = typeof ObjectRecord.Type

/** One resolved target as the loader's JSON carries it. */
export const ObjectJson = Schema.Struct({
  ord: Schema.Int,
  kind: MissingObjectKind,
  id: ObjectId,
  subKind: Schema.String,
  name: Schema.NullOr(Schema.String),
  groupType: Schema.NullOr(Schema.Literal("object", "principal")),
  tenantId: Schema.NullOr(TenantId),
  tenant: Schema.NullOr(TenantState),
  parentGroupId: Schema.NullOr(GroupId),
  ancestorGroupIds: Schema.Array(GroupId),
  attributes: JsonObject,
})
export type ObjectJson = typeof ObjectJson.Type

export const objectRecord = (row: ObjectJson): ObjectRecord => ({
  object: {
    kind: row.kind,
    subKind: row.subKind,
    id: row.id,
    tenant: row.tenant,
    parentGroupId: row.parentGroupId,
    ancestorGroupIds: row.ancestorGroupIds,
    attributes: row.attributes,
  },
  name: row.name,
  groupType: row.groupType,
})
