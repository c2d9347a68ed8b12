import { Schema } from "effect"
import { TenantId } from "../authz/ids.js"

/** What a profile describes (identity-certs §1.3). */
export const ProfileObjectKind = Schema.Literal("entity", "resource", "group", "tenant", "credential")
export type ProfileObjectKind = typeof ProfileObjectKind.Type

export const ProfileStatus = Schema.Literal("active", "deprecated", "disabled")
export type ProfileStatus = typeof ProfileStatus.Type

/** A named attribute schema for one kind of object; `(objectKind, kind, key)` is unique per tenant-or-global. */
export const Profile = Schema.Struct({
  id: Schema.UUID,
  tenantId: Schema.NullOr(TenantId),
  objectKind: ProfileObjectKind,
  kind: Schema.String,
  key: Schema.String,
  displayName: Schema.String,
  description: Schema.NullOr(Schema.String),
  status: ProfileStatus,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Profile = typeof Profile.Type
