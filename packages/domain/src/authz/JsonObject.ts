import { Schema } from "effect"

/** A JSON object (attributes, context): keys to arbitrary JSON values. */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type JsonObject = typeof JsonObject.Type
