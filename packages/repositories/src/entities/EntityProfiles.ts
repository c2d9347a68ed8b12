import { JsonObject } from "@atom/domain/authz"
import { ProfileObjectKind, ProfileStatus, ProfileVersionStatus } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"

export const ProfileRef = Schema.Struct({
  id: Schema.String,
  objectKind: ProfileObjectKind,
  kind: Schema.String,
  status: ProfileStatus,
})
export type ProfileRef = typeof ProfileRef.Type

export const ProfileVersionRef = Schema.Struct({
  id: Schema.String,
  profileId: Schema.String,
  status: ProfileVersionStatus,
})
export type ProfileVersionRef = typeof ProfileVersionRef.Type

// selected as text: the client's camelCase transform would rename the keys inside the schema
const VersionSchema = Schema.Struct({ jsonSchema: Schema.parseJson(JsonObject) })

/** What entity writes need of profiles: the profile's kind and status, and which version to pin. */
export class EntityProfiles extends Effect.Service<EntityProfiles>()("atom/EntityProfiles", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const versions = decodeRows(ProfileVersionRef)
    return {
      profile: (id: string) =>
        decodeRows(ProfileRef)(sql`SELECT id, object_kind, kind, status FROM profiles WHERE id = ${id}`).pipe(
          Effect.map((r) => r[0]),
        ),
      version: (id: string) =>
        versions(sql`SELECT id, profile_id, status FROM profile_versions WHERE id = ${id}`).pipe(
          Effect.map((r) => r[0]),
        ),
      /** The highest active version of a profile. */
      activeVersion: (profileId: string) =>
        versions(
          sql`SELECT id, profile_id, status FROM profile_versions
              WHERE profile_id = ${profileId} AND status = 'active' ORDER BY version DESC LIMIT 1`,
        ).pipe(Effect.map((r) => r[0])),
      /** The JSON Schema of a profile version (immutable once created); undefined when the version is gone. */
      versionSchema: (id: string) =>
        decodeRows(VersionSchema)(
          sql`SELECT json_schema::text AS json_schema FROM profile_versions WHERE id = ${id}`,
        ).pipe(Effect.map((r) => r[0]?.jsonSchema)),
    }
  }),
}) {}
