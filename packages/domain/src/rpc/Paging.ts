import { Schema } from "effect"

/** An optional payload field: absent and null both mean "not given". */
export const Optional = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.optional(Schema.NullOr(schema))

/** `limit` / `offset` of a listing (api.md §3.4: defaults and clamps are the server's). */
export const PageFields = { limit: Optional(Schema.Int), offset: Optional(Schema.Int) }

/** `{ items, total }`: total counts every match, not just the page. */
export const PageOf = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ items: Schema.Array(item), total: Schema.Int })
