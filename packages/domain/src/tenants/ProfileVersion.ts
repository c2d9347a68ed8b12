import { Schema } from "effect"
import { JsonObject } from "../authz/JsonObject.js"

export const ProfileVersionStatus = Schema.Literal("draft", "active", "deprecated", "disabled")
export type ProfileVersionStatus = typeof ProfileVersionStatus.Type

/** One numbered version of a profile: its JSON Schema and UI schema. The highest active one is current. */
export const ProfileVersion = Schema.Struct({
  id: Schema.UUID,
  profileId: Schema.UUID,
  version: Schema.Int,
  jsonSchema: JsonObject,
  uiSchema: JsonObject,
  status: ProfileVersionStatus,
  createdAt: Schema.DateFromSelf,
})
export type ProfileVersion = typeof ProfileVersion.Type
