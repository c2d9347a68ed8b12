import { Schema } from "effect"

/** ABAC conditions: a JSON object mapping dot paths to expectations; `{}` always holds. */
export const Conditions = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "Conditions",
  message: () => "conditions must be a JSON object",
})
export type Conditions = typeof Conditions.Type
