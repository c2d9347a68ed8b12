import { Schema } from "effect"

/** One GraphQL error: the contract's message (`forbidden`, `entity <id> not found` …). */
export const GraphqlError = Schema.Struct({ message: Schema.String })

/** Every GraphQL answer: `data` (null when the operation failed) and/or at least one error. */
export const GraphqlResponse = Schema.Struct({
  data: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  errors: Schema.optional(Schema.NonEmptyArray(GraphqlError)),
})
export type GraphqlResponse = typeof GraphqlResponse.Type
