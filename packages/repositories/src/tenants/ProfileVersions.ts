import type { ProfileVersion, ProfileVersionStatus } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { PROFILE_VERSION_COLUMNS, ProfileVersionRow } from "./rows.js"

export interface NewProfileVersion {
  readonly id: string
  readonly profileId: string
  readonly version: number
  readonly jsonSchema: Readonly<Record<string, unknown>>
  readonly uiSchema: Readonly<Record<string, unknown>>
  readonly status: ProfileVersionStatus
}

/** The numbered versions of a profile. */
export class ProfileVersions extends Effect.Service<ProfileVersions>()("atom/ProfileVersions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(ProfileVersionRow)
    const columns = sql.unsafe(PROFILE_VERSION_COLUMNS)
    return {
      ofProfile: (profileId: string) =>
        rows(sql`SELECT ${columns} FROM profile_versions v WHERE v.profile_id = ${profileId} ORDER BY v.version`),
      insert: (v: NewProfileVersion) =>
        rows(
          sql`INSERT INTO profile_versions AS v (id, profile_id, version, json_schema, ui_schema, status)
              VALUES (${v.id}, ${v.profileId}, ${v.version}, ${JSON.stringify(v.jsonSchema)}::jsonb,
                      ${JSON.stringify(v.uiSchema)}::jsonb, ${v.status})
              RETURNING ${columns}`,
        ).pipe(Effect.map((r: ReadonlyArray<ProfileVersion>) => r[0])),
    }
  }),
}) {}
