import { paging } from "@atom/domain/tenants"
import { Schema } from "effect"

/** `limit` / `offset` as the contract declares them: optional, nullable Ints. */
export const PageArgs = {
  limit: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
  offset: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null }),
}

/** Defaults and clamps of api.md §3.4. */
export const pageOf = (args: { readonly limit: number | null; readonly offset: number | null }, max?: number) =>
  paging(args, max)
