import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TenantId } from "../authz/ids.js"
import { Profile } from "../tenants/Profile.js"
import { ProfileVersion } from "../tenants/ProfileVersion.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** Profiles and their versions with their instants as RFC 3339 strings on the wire. */
export const ProfileOnWire = Schema.Struct({
  ...Profile.fields,
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
})

export const ProfileVersionOnWire = Schema.Struct({ ...ProfileVersion.fields, createdAt: Schema.Date })

export const ListProfilesPayload = Schema.Struct({
  objectKind: Optional(Schema.String),
  kind: Optional(Schema.String),
  tenantId: Optional(TenantId),
  status: Optional(Schema.String),
  ...PageFields,
})

/** Object kind, kind and status are checked by the service with the contract's messages. */
export const CreateProfilePayload = Schema.Struct({
  tenantId: Optional(TenantId),
  objectKind: Schema.String,
  kind: Schema.String,
  key: Schema.String,
  displayName: Schema.String,
  description: Optional(Schema.String),
  status: Optional(Schema.String),
})

export const CreateProfileVersionPayload = Schema.Struct({
  profileId: Schema.UUID,
  version: Schema.Int,
  jsonSchema: Schema.optional(Schema.Unknown),
  uiSchema: Schema.optional(Schema.Unknown),
  status: Optional(Schema.String),
})

/** Patch semantics: an absent field keeps its value; `description: null` clears it. */
export const UpdateProfilePayload = Schema.Struct({
  id: Schema.UUID,
  displayName: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.optional(Schema.NullOr(Schema.String)),
})

/** Attribute profiles of entities, resources, groups … and their numbered versions (identity-certs §1.3). */
export class ProfileRpcs extends RpcGroup.make(
  Rpc.make("ListProfiles", { payload: ListProfilesPayload, success: PageOf(ProfileOnWire), error: AtomRpcError }),
  Rpc.make("GetProfile", { payload: { id: Schema.UUID }, success: ProfileOnWire, error: AtomRpcError }),
  Rpc.make("ProfileVersions", {
    payload: { profileId: Schema.UUID },
    success: Schema.Array(ProfileVersionOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("CreateProfile", { payload: CreateProfilePayload, success: ProfileOnWire, error: AtomRpcError }),
  Rpc.make("CreateProfileVersion", {
    payload: CreateProfileVersionPayload,
    success: ProfileVersionOnWire,
    error: AtomRpcError,
  }),
  Rpc.make("UpdateProfile", { payload: UpdateProfilePayload, success: ProfileOnWire, error: AtomRpcError }),
) {}
