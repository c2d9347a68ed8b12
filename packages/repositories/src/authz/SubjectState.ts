import {
  BindingRow,
  CeilingEntryRow,
  EntityId,
  EntityKind,
  EntityStatus,
  JsonObject,
  MembershipRow,
  PrincipalGroupRow,
  Subject,
  TenantId,
  TenantState,
} from "@atom/domain/authz"
import { Schema } from "effect"

/** A live subject with what explain shows of it and the state of its home tenant (for gates). */
export const SubjectRecord = Schema.Struct({
  subject: Subject,
  name: Schema.String,
  /** the entity's own tenant; null for global entities */
  tenant: Schema.NullOr(TenantState),
})
export type SubjectRecord = typeof SubjectRecord.Type

/** The subject row as the loader's JSON carries it. */
export const SubjectJson = Schema.Struct({
  id: EntityId,
  name: Schema.String,
  kind: EntityKind,
  tenantId: Schema.NullOr(TenantId),
  status: EntityStatus,
  attributes: JsonObject,
  tenant: Schema.NullOr(TenantState),
})

export const subjectRecord = (row: typeof SubjectJson.Type): SubjectRecord => ({
  subject: { id: row.id, kind: row.kind, tenantId: row.tenantId, status: row.status, attributes: row.attributes },
  name: row.name,
  tenant: row.tenant,
})

/** A principal group reached from one of the loaded subjects. */
export const ReachedGroupJson = Schema.Struct({ entityId: EntityId, ...PrincipalGroupRow.fields })
export type ReachedGroupJson = typeof ReachedGroupJson.Type

/** JSON has no dates: the expiry arrives as an ISO string. */
export const BindingJson = Schema.Struct({ ...BindingRow.fields, expiresAt: Schema.NullOr(Schema.Date) })

export const MembershipJson = Schema.Struct({ entityId: EntityId, ...MembershipRow.fields })
export type MembershipJson = typeof MembershipJson.Type

export const CeilingJson = CeilingEntryRow
