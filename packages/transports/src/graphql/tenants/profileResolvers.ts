import { ProfileService } from "@atom/services/tenants"
import { Effect, Schema } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import { authenticatedField } from "./authenticatedField.js"
import { encodeProfile, encodeProfileVersion } from "./encodeProfile.js"
import { PageArgs, pageOf } from "./PageArgs.js"
import type { TenantServices } from "./TenantServices.js"
import { OptionalUuidArg, UuidArg } from "./UuidArg.js"

const optionalString = Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })

const ListArgs = Schema.Struct({
  objectKind: optionalString,
  kind: optionalString,
  tenantId: OptionalUuidArg("tenantId"),
  status: optionalString,
  ...PageArgs,
})
const IdArgs = Schema.Struct({ id: UuidArg("id") })
const ProfileIdArgs = Schema.Struct({ profileId: UuidArg("profileId") })
const CreateArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: OptionalUuidArg("tenantId"),
    objectKind: Schema.String,
    kind: Schema.String,
    key: Schema.String,
    displayName: Schema.String,
    description: optionalString,
    status: optionalString,
  }),
})
const CreateVersionArgs = Schema.Struct({
  profileId: UuidArg("profileId"),
  input: Schema.Struct({
    version: Schema.Int,
    jsonSchema: Schema.optional(Schema.Unknown),
    uiSchema: Schema.optional(Schema.Unknown),
    status: optionalString,
  }),
})
const UpdateArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    displayName: Schema.optional(Schema.NullOr(Schema.String)),
    description: Schema.optional(Schema.NullOr(Schema.String)),
    status: Schema.optional(Schema.NullOr(Schema.String)),
  }),
})

/** profiles, profile, profileVersions, createProfile, createProfileVersion, updateProfile (api.md §3.5). */
export const profileResolvers: GraphqlModule<TenantServices>["resolvers"] = {
  Query: {
    profiles: authenticatedField(ListArgs, (caller, a) =>
      Effect.flatMap(ProfileService, (s) =>
        Effect.map(
          s.list(caller, { objectKind: a.objectKind, kind: a.kind, tenantId: a.tenantId, status: a.status }, pageOf(a)),
          (p) => ({ items: p.items.map(encodeProfile), total: p.total }),
        ),
      ),
    ),
    profile: authenticatedField(IdArgs, (caller, a) =>
      Effect.flatMap(ProfileService, (s) => Effect.map(s.get(caller, a.id), encodeProfile)),
    ),
    profileVersions: authenticatedField(ProfileIdArgs, (caller, a) =>
      Effect.flatMap(ProfileService, (s) =>
        Effect.map(s.versions(caller, a.profileId), (vs) => vs.map(encodeProfileVersion)),
      ),
    ),
  },
  Mutation: {
    createProfile: authenticatedField(CreateArgs, (caller, { input }) =>
      Effect.flatMap(ProfileService, (s) => Effect.map(s.create(caller, input), encodeProfile)),
    ),
    createProfileVersion: authenticatedField(CreateVersionArgs, (caller, { profileId, input }) =>
      Effect.flatMap(ProfileService, (s) =>
        Effect.map(
          s.createVersion(caller, profileId, {
            version: input.version,
            jsonSchema: input.jsonSchema,
            uiSchema: input.uiSchema,
            status: input.status,
          }),
          encodeProfileVersion,
        ),
      ),
    ),
    updateProfile: authenticatedField(UpdateArgs, (caller, { id, input }) =>
      Effect.flatMap(ProfileService, (s) => Effect.map(s.update(caller, id, input), encodeProfile)),
    ),
  },
}
